# SPDX-License-Identifier: MIT
# `cmake --install` (included by the top-level CMakeLists.txt): the three libraries with their
# public headers, the memspike CLI, the energy presets and a relocatable CMake package, so that a
# project of its own builds with find_package(memspike CONFIG REQUIRED) (tests/install/ checks it).
# The Python package is installed by python/CMakeLists.txt.
include(CMakePackageConfigHelpers)

install(TARGETS memspike_core memspike_models memspike_backends
  EXPORT memspikeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS memspike RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# Public headers: include/memspike/{core,models,backends}/ and the generated version.hpp.
install(DIRECTORY
    ${PROJECT_SOURCE_DIR}/core/include/
    ${PROJECT_SOURCE_DIR}/models/include/
    ${PROJECT_SOURCE_DIR}/backends/include/
    ${PROJECT_BINARY_DIR}/core/generated/
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
  FILES_MATCHING PATTERN "*.hpp")

# The presets, listed (not globbed): core/src/energy_presets.cpp finds them here from bin/ or lib/.
set(MEMSPIKE_ENERGY_PRESETS cpu_45nm gpu_h100 gpu_h100_csr loihi reram_crossbar truenorth)
list(APPEND MEMSPIKE_ENERGY_PRESETS cpu_event_driven gpu_event_driven)  # based on cpu_45nm, gpu_h100 (issue 14)
list(TRANSFORM MEMSPIKE_ENERGY_PRESETS PREPEND ${PROJECT_SOURCE_DIR}/models/energy/)
list(TRANSFORM MEMSPIKE_ENERGY_PRESETS APPEND .toml)
install(FILES ${MEMSPIKE_ENERGY_PRESETS} DESTINATION ${MEMSPIKE_INSTALL_PRESETDIR})

install(EXPORT memspikeTargets NAMESPACE memspike:: DESTINATION ${MEMSPIKE_INSTALL_CMAKEDIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/memspikeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/memspikeConfig.cmake
  INSTALL_DESTINATION ${MEMSPIKE_INSTALL_CMAKEDIR}
  PATH_VARS MEMSPIKE_INSTALL_PRESETDIR)
# 0.x: only the same minor version is compatible (the API may still change between minors).
write_basic_package_version_file(${PROJECT_BINARY_DIR}/memspikeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/memspikeConfig.cmake ${PROJECT_BINARY_DIR}/memspikeConfigVersion.cmake
  DESTINATION ${MEMSPIKE_INSTALL_CMAKEDIR})

# Chip descriptions (issue 14, docs/chips.md), listed: core/src/chip/chip_model.cpp finds them in
# chips/ beside the energy presets' directory.
set(MEMSPIKE_CHIP_PRESETS loihi loihi_sanafe truenorth reram_isaac)
list(TRANSFORM MEMSPIKE_CHIP_PRESETS PREPEND ${PROJECT_SOURCE_DIR}/models/chips/)
list(TRANSFORM MEMSPIKE_CHIP_PRESETS APPEND .toml)
install(FILES ${MEMSPIKE_CHIP_PRESETS} DESTINATION ${CMAKE_INSTALL_DATADIR}/memspike/chips)
