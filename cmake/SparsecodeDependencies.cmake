# Finds sparsecode's Debian-packaged dependencies; stops with the apt package to install when one is missing.
include_guard(GLOBAL)

function(sparsecode_missing what package)
  message(FATAL_ERROR "sparsecode: ${what} not found. Install it with: apt-get install ${package}")
endfunction()

find_package(Eigen3 3.4 CONFIG QUIET)
if(NOT Eigen3_FOUND)
  sparsecode_missing("Eigen 3.4" libeigen3-dev)
endif()

find_package(OpenMP QUIET COMPONENTS CXX)
if(NOT OpenMP_CXX_FOUND)
  sparsecode_missing("OpenMP" "libgomp1 (part of g++)")
endif()

# OpenBLAS: Eigen's BLAS/LAPACK backend, plus openblas_set_num_threads() so that BLAS stays
# single-threaded inside our OpenMP loops.
find_path(SPARSECODE_OPENBLAS_INCLUDE cblas.h
  PATHS /usr/include/x86_64-linux-gnu/openblas-pthread /usr/include/aarch64-linux-gnu/openblas-pthread
        /usr/include/openblas
  NO_DEFAULT_PATH)
find_library(SPARSECODE_OPENBLAS_LIBRARY NAMES openblas
  PATHS /usr/lib/x86_64-linux-gnu/openblas-pthread /usr/lib/aarch64-linux-gnu/openblas-pthread)
if(NOT SPARSECODE_OPENBLAS_INCLUDE OR NOT SPARSECODE_OPENBLAS_LIBRARY)
  sparsecode_missing("OpenBLAS" libopenblas-dev)
endif()
if(NOT TARGET sparsecode_openblas)
  add_library(sparsecode_openblas INTERFACE)
  target_include_directories(sparsecode_openblas SYSTEM INTERFACE ${SPARSECODE_OPENBLAS_INCLUDE})
  target_link_libraries(sparsecode_openblas INTERFACE ${SPARSECODE_OPENBLAS_LIBRARY})
endif()

find_path(SPARSECODE_ARMADILLO_INCLUDE armadillo)
find_library(SPARSECODE_ARMADILLO_LIBRARY NAMES armadillo)
if(NOT SPARSECODE_ARMADILLO_INCLUDE OR NOT SPARSECODE_ARMADILLO_LIBRARY)
  sparsecode_missing("Armadillo" libarmadillo-dev)
endif()
if(NOT TARGET sparsecode_armadillo)
  add_library(sparsecode_armadillo INTERFACE)
  target_include_directories(sparsecode_armadillo SYSTEM INTERFACE ${SPARSECODE_ARMADILLO_INCLUDE})
  target_link_libraries(sparsecode_armadillo INTERFACE ${SPARSECODE_ARMADILLO_LIBRARY})
endif()

# stb: Debian's libstb-dev ships the compiled implementation as libstb.
find_path(SPARSECODE_STB_INCLUDE stb_image.h PATH_SUFFIXES stb)
find_library(SPARSECODE_STB_LIBRARY NAMES stb)
if(NOT SPARSECODE_STB_INCLUDE OR NOT SPARSECODE_STB_LIBRARY)
  sparsecode_missing("stb" libstb-dev)
endif()
if(NOT TARGET sparsecode_stb)
  add_library(sparsecode_stb INTERFACE)
  target_include_directories(sparsecode_stb SYSTEM INTERFACE ${SPARSECODE_STB_INCLUDE})
  target_link_libraries(sparsecode_stb INTERFACE ${SPARSECODE_STB_LIBRARY})
endif()

# zlib: gzip-compressed IDX files (Fashion-MNIST), checksums.
find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  sparsecode_missing("zlib" zlib1g-dev)
endif()

find_path(SPARSECODE_LBFGSPP_INCLUDE LBFGS.h)
if(NOT SPARSECODE_LBFGSPP_INCLUDE)
  sparsecode_missing("LBFGSpp" liblbfgspp-dev)
endif()

if(NOT SPARSECODE_DEPENDENCIES_LIBRARY_ONLY)
  find_package(CLI11 CONFIG QUIET)
  if(NOT CLI11_FOUND)
    sparsecode_missing("CLI11" libcli11-dev)
  endif()
  find_package(doctest CONFIG QUIET)
  if(NOT doctest_FOUND)
    sparsecode_missing("doctest" doctest-dev)
  endif()
endif()
