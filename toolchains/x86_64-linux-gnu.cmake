# Postern: x86_64 (DSM "x86_64" platforms) against a Debian 12 amd64 sysroot.
# Uses the build machine's own gcc (x86_64-linux-gnu-g++) with --sysroot.
#   cmake -S . -B build/x86_64 -DCMAKE_TOOLCHAIN_FILE=toolchains/x86_64-linux-gnu.cmake -DBUILD_TESTING=OFF
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(POSTERN_TRIPLET x86_64-linux-gnu)
set(POSTERN_DEBARCH amd64)
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")
