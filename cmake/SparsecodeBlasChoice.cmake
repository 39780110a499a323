# Chooses whether Eigen routes its dense products through OpenBLAS (EIGEN_USE_BLAS) or uses its own kernels.
#
# SPARSECODE_BLAS_PRODUCTS = AUTO (default) | ON | OFF. AUTO asks OpenBLAS at configure time which
# kernel family it picked for this CPU. Debian 12's OpenBLAS 0.3.21 falls back to its generic
# PRESCOTT (SSE3) kernels on some AVX-512 CPUs it does not recognise; there Eigen's own kernels,
# compiled with -march=native, run GEMM about 3-4x faster, so AUTO uses them. On a CPU OpenBLAS
# knows, or without -march=native, AUTO keeps OpenBLAS.
include_guard(GLOBAL)

set(SPARSECODE_BLAS_PRODUCTS AUTO CACHE STRING "Route Eigen's dense products through OpenBLAS: AUTO, ON or OFF")
set_property(CACHE SPARSECODE_BLAS_PRODUCTS PROPERTY STRINGS AUTO ON OFF)
set(SPARSECODE_BLAS_PROBE_SOURCE "${CMAKE_CURRENT_LIST_DIR}/probe/openblas_core.cpp")

function(sparsecode_choose_blas_products out_var)
  string(TOUPPER "${SPARSECODE_BLAS_PRODUCTS}" choice)
  if(choice STREQUAL "ON" OR choice STREQUAL "OFF")
    set(${out_var} ${choice} PARENT_SCOPE)
    return()
  endif()
  if(NOT choice STREQUAL "AUTO")
    message(FATAL_ERROR "SPARSECODE_BLAS_PRODUCTS must be AUTO, ON or OFF, got '${SPARSECODE_BLAS_PRODUCTS}'")
  endif()
  if(NOT SPARSECODE_NATIVE OR CMAKE_CROSSCOMPILING)
    set(${out_var} ON PARENT_SCOPE)
    return()
  endif()
  try_run(run_result compile_ok
    "${CMAKE_BINARY_DIR}/sparsecode_blas_probe"
    "${SPARSECODE_BLAS_PROBE_SOURCE}"
    CMAKE_FLAGS "-DINCLUDE_DIRECTORIES=${SPARSECODE_OPENBLAS_INCLUDE}"
    LINK_LIBRARIES "${SPARSECODE_OPENBLAS_LIBRARY}"
    RUN_OUTPUT_VARIABLE probe_output)
  if(NOT compile_ok OR NOT run_result EQUAL 0)
    message(STATUS "sparsecode: OpenBLAS probe failed; Eigen uses OpenBLAS for dense products")
    set(${out_var} ON PARENT_SCOPE)
    return()
  endif()
  string(STRIP "${probe_output}" probe_output)
  list(GET probe_output 0 core)
  list(GET probe_output 1 avx2)
  string(TOLOWER "${core}" core_lower)
  set(generic_cores prescott core2 katmai coppermine northwood banias penryn dunnington nehalem atom generic)
  if(avx2 AND core_lower IN_LIST generic_cores)
    message(STATUS "sparsecode: OpenBLAS runs generic ${core} kernels on this AVX2 CPU; using Eigen's own kernels")
    set(${out_var} OFF PARENT_SCOPE)
  else()
    message(STATUS "sparsecode: OpenBLAS kernels '${core}'; Eigen routes dense products through OpenBLAS")
    set(${out_var} ON PARENT_SCOPE)
  endif()
endfunction()
