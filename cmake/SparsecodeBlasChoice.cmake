# Chooses whether Eigen routes its dense products through OpenBLAS (EIGEN_USE_BLAS) or uses its own kernels.
#
# SPARSECODE_BLAS_PRODUCTS = AUTO (default) | ON | OFF. AUTO asks OpenBLAS at configure time which
# kernel family it picked for this CPU, and uses Eigen's own kernels (compiled with -march=native)
# when OpenBLAS's are narrower than the CPU's vectors:
#   - generic kernels (PRESCOTT etc., SSE only) on an AVX2 CPU: Debian 12's OpenBLAS 0.3.21 falls
#     back to them on some AVX-512 CPUs it does not recognise; Eigen's GEMM is 3-4x faster there;
#   - AVX2 kernels (HASWELL, ZEN) on an AVX-512 CPU (e.g. AMD Zen 4): Eigen's AVX-512 kernels
#     learn 8-12% faster, transform features with about 25% less CPU and train the classifier
#     with about 14% less, and encode as fast (measured on such a machine; see bench/).
# Otherwise (OpenBLAS's kernels as wide as the CPU's, or no -march=native) AUTO keeps OpenBLAS.
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
  list(GET probe_output 2 avx512)
  string(TOLOWER "${core}" core_lower)
  set(generic_cores prescott core2 katmai coppermine northwood banias penryn dunnington nehalem atom generic)
  set(avx512_cores skylakex cooperlake sapphirerapids)
  if(avx2 AND core_lower IN_LIST generic_cores)
    message(STATUS "sparsecode: OpenBLAS runs generic ${core} kernels on this AVX2 CPU; using Eigen's own kernels")
    set(${out_var} OFF PARENT_SCOPE)
  elseif(avx512 AND NOT core_lower IN_LIST avx512_cores)
    message(STATUS "sparsecode: OpenBLAS runs ${core} kernels without AVX-512 on this AVX-512 CPU; using Eigen's own kernels")
    set(${out_var} OFF PARENT_SCOPE)
  else()
    message(STATUS "sparsecode: OpenBLAS kernels '${core}'; Eigen routes dense products through OpenBLAS")
    set(${out_var} ON PARENT_SCOPE)
  endif()
endfunction()
