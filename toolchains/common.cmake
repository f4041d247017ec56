# Shared part of the Postern cross toolchain files (x86_64, aarch64, armv7).
#
# Every target is built against a Debian 12 sysroot made by
# toolchains/make-sysroot.sh, even x86_64: the package ships the sysroot's
# glibc, loader and libstdc++, so the headers and libraries we compile
# against must be exactly the ones we ship (not whatever the build machine
# has installed).
#
# The including file sets POSTERN_TRIPLET, POSTERN_DEBARCH and
# CMAKE_SYSTEM_PROCESSOR before including this file.
#
# Sysroot location, first match wins:
#   -DPOSTERN_SYSROOT=DIR, environment POSTERN_SYSROOT, build/sysroots/<debarch>.

set(CMAKE_SYSTEM_NAME Linux)

if(NOT POSTERN_SYSROOT AND DEFINED ENV{POSTERN_SYSROOT})
  set(POSTERN_SYSROOT "$ENV{POSTERN_SYSROOT}")
endif()
if(NOT POSTERN_SYSROOT)
  get_filename_component(POSTERN_SYSROOT
    "${CMAKE_CURRENT_LIST_DIR}/../build/sysroots/${POSTERN_DEBARCH}" ABSOLUTE)
endif()
if(NOT EXISTS "${POSTERN_SYSROOT}/usr/include/${POSTERN_TRIPLET}")
  message(FATAL_ERROR
    "No ${POSTERN_DEBARCH} sysroot at ${POSTERN_SYSROOT}. "
    "Make one with: toolchains/make-sysroot.sh ${POSTERN_DEBARCH}")
endif()
# try_compile() projects re-read this file; hand them the same sysroot.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES POSTERN_SYSROOT)

set(CMAKE_SYSROOT "${POSTERN_SYSROOT}")
set(CMAKE_C_COMPILER   "${POSTERN_TRIPLET}-gcc")
set(CMAKE_CXX_COMPILER "${POSTERN_TRIPLET}-g++")
set(CMAKE_LIBRARY_ARCHITECTURE "${POSTERN_TRIPLET}")

# Programs come from the build machine; headers, libraries and CMake package
# configs (PocoConfig.cmake...) only from the sysroot.
set(CMAKE_FIND_ROOT_PATH "${POSTERN_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# If a CMakeLists.txt uses pkg-config (pkg_check_modules), make it read the
# sysroot's .pc files, never the build machine's.
set(ENV{PKG_CONFIG_SYSROOT_DIR} "${POSTERN_SYSROOT}")
set(ENV{PKG_CONFIG_LIBDIR}
  "${POSTERN_SYSROOT}/usr/lib/${POSTERN_TRIPLET}/pkgconfig:${POSTERN_SYSROOT}/usr/share/pkgconfig")
set(ENV{PKG_CONFIG_PATH} "")

# The package starts the daemon through the bundled loader with the bundled
# lib/ as library path (package/payload/bin/postern), so no rpath is needed
# or wanted: an rpath into the build tree would only leak build paths.
set(CMAKE_SKIP_RPATH ON)
