# package.cmake - Debian packages of weft through CPack (`make package`).
#
# Two packages from the install components: weft (the binary, the man page,
# completions, the shipped questionnaires, examples, templates and
# pipelines) and weft-cuda (the CUDA module alone), so a machine without
# CUDA installs weft without the CUDA libraries. The binary's library
# dependencies come from dpkg-shlibdeps; OpenBLAS is added by hand because
# weft opens it with dlopen, where shlibdeps cannot see it. The CUDA module
# needs cuBLAS 13 and its loader, which come from NVIDIA's packages or the
# CUDA toolkit rather than Debian, so weft-cuda names them as a suggestion
# and depends only on the exact weft it was built with (the loader refuses
# a module of another version anyway).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME weft)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "weft maintainers <weft@localhost>")
# no CPACK_PACKAGE_DESCRIPTION_SUMMARY: each description's first line is its
# package's synopsis
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS OFF)

set(CPACK_DEBIAN_WEFT_PACKAGE_NAME weft)
set(CPACK_DEBIAN_WEFT_PACKAGE_DEPENDS "libopenblas0 | libopenblas0-pthread | libopenblas0-openmp | libopenblas0-serial")
set(CPACK_DEBIAN_WEFT_DESCRIPTION
"tie AI models to the systems where business decisions are made
weft scores a business unit's AI-integration maturity from YAML
questionnaires (weft assess), scaffolds integration projects from five
pattern templates (weft new), and checks models and endpoints against
end-to-end latency budgets with honest statistics and a CI gate
(weft bench). GPU model stages need the weft-cuda package.")
set(CPACK_COMPONENTS_ALL weft)

if(WEFT_HAVE_CUDA)
  list(APPEND CPACK_COMPONENTS_ALL cuda)
  set(CPACK_DEBIAN_CUDA_PACKAGE_NAME weft-cuda)
  set(CPACK_DEBIAN_CUDA_PACKAGE_SHLIBDEPS OFF)
  set(CPACK_DEBIAN_CUDA_PACKAGE_DEPENDS "weft (= ${PROJECT_VERSION}), libc6, libstdc++6, libgcc-s1")
  set(CPACK_DEBIAN_CUDA_PACKAGE_SUGGESTS "libcublas-13-0")
  set(CPACK_DEBIAN_CUDA_DESCRIPTION
"CUDA model stages for weft
The module weft opens when a model stage runs on a GPU: dense networks
through cuBLASLt with fused epilogues and CUDA graphs. Needs cuBLAS 13
(libcublas.so.13, libcublasLt.so.13) on the library path and an NVIDIA
driver; without them weft says so and uses its CPU path.")
endif()

include(CPack)
