# cmake --install: the ratchet tool, the public headers (include/ratchet/),
# the library, its CMake package (find_package(ratchet CONFIG) ->
# ratchet::ratchet, ratchet_embed_set()) and ratchet.pc. Paths follow
# GNUInstallDirs. Components: "tool" (the command) and "dev" (the rest).
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

list(APPEND CMAKE_MODULE_PATH "${CMAKE_CURRENT_LIST_DIR}")
find_package(RatchetPgQuery REQUIRED)

# In the build tree the library is ratchet_lib, and ratchet::ratchet as a
# program that embeds ratchet names it.
add_library(ratchet::ratchet ALIAS ratchet_lib)
set_target_properties(ratchet_lib PROPERTIES EXPORT_NAME ratchet)

# The target as CMakeLists.txt declares it points at the source tree and at
# libpg_query's file; the installed package needs the include directory under
# the prefix and libpg_query as the target its find module defines. The same
# library is linked either way.
set_property(TARGET ratchet_lib PROPERTY INTERFACE_INCLUDE_DIRECTORIES
  "$<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>"
  "$<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>")
get_target_property(_ratchet_links ratchet_lib INTERFACE_LINK_LIBRARIES)
list(TRANSFORM _ratchet_links REPLACE "^(\\$<LINK_ONLY:)?${PG_QUERY_LIBRARY}>?$"
  "$<LINK_ONLY:ratchet::pg_query>")
set_property(TARGET ratchet_lib PROPERTY INTERFACE_LINK_LIBRARIES "${_ratchet_links}")

install(TARGETS ratchet RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT tool)
install(TARGETS ratchet_lib EXPORT ratchetTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev)
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/ratchet"
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
  FILES_MATCHING PATTERN "*.h")

set(RATCHET_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/ratchet")
install(EXPORT ratchetTargets NAMESPACE ratchet:: DESTINATION ${RATCHET_CMAKE_DIR}
  COMPONENT dev)
configure_package_config_file(cmake/ratchetConfig.cmake.in
  "${PROJECT_BINARY_DIR}/ratchetConfig.cmake" INSTALL_DESTINATION ${RATCHET_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/ratchetConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES
  "${PROJECT_BINARY_DIR}/ratchetConfig.cmake"
  "${PROJECT_BINARY_DIR}/ratchetConfigVersion.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/FindRatchetPgQuery.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/RatchetEmbedSet.cmake"
  "${CMAKE_CURRENT_LIST_DIR}/RatchetEmbedGenerate.cmake"
  DESTINATION ${RATCHET_CMAKE_DIR} COMPONENT dev)

# ratchet.pc finds the prefix from its own place, so the package can be
# installed under any prefix (cmake --install --prefix, a .deb).
file(RELATIVE_PATH RATCHET_PC_TO_PREFIX "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
string(REGEX REPLACE "/$" "" RATCHET_PC_TO_PREFIX "${RATCHET_PC_TO_PREFIX}")
configure_file(cmake/ratchet.pc.in "${PROJECT_BINARY_DIR}/ratchet.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/ratchet.pc"
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)
