# Postern: aarch64 (DSM "armv8" platforms) against a Debian 12 arm64 sysroot.
# Compiler: Debian's g++-aarch64-linux-gnu.
#   cmake -S . -B build/aarch64 -DCMAKE_TOOLCHAIN_FILE=toolchains/aarch64-linux-gnu.cmake -DBUILD_TESTING=OFF
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(POSTERN_TRIPLET aarch64-linux-gnu)
set(POSTERN_DEBARCH arm64)
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
