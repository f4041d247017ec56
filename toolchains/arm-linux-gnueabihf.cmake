# Postern: armv7 hard-float (DSM "armv7" platforms: alpine, armada38x, monaco)
# against a Debian 12 armhf sysroot.  Compiler: Debian's g++-arm-linux-gnueabihf,
# whose defaults (ARMv7-A, VFPv3-D16, Thumb-2) match Debian armhf and run on the
# Cortex-A9/A15 cores of those NAS models.
#   cmake -S . -B build/armv7 -DCMAKE_TOOLCHAIN_FILE=toolchains/arm-linux-gnueabihf.cmake -DBUILD_TESTING=OFF
set(CMAKE_SYSTEM_PROCESSOR armv7l)
set(POSTERN_TRIPLET arm-linux-gnueabihf)
set(POSTERN_DEBARCH armhf)
include("${CMAKE_CURRENT_LIST_DIR}/common.cmake")

# GCC notes on every std::map/json call that the ARM parameter passing of
# some types changed in GCC 7.1.  Everything here is built by GCC 12 against
# GCC 12's libstdc++, so the note is noise that would bury real warnings.
set(CMAKE_CXX_FLAGS_INIT "-Wno-psabi")
