# `make deb`: Debian packages made by CPack from what cmake --install puts
# in place. "ratchet" holds the tool (stripped; its Depends come from
# dpkg-shlibdeps, so they are Debian package names); "libratchet-dev" holds
# the headers, the static library, the CMake package and ratchet.pc, and
# depends on the -dev packages of what the library links.
set(CPACK_PACKAGE_NAME ratchet)
set(CPACK_PACKAGE_VENDOR "ratchet")
set(CPACK_PACKAGE_CONTACT "ratchet maintainers <ratchet@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "upgrades database schemas in place, for SQLite and PostgreSQL")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_RATCHET_STRIP "${CMAKE_STRIP}")
set(CPACK_PRE_BUILD_SCRIPTS "${CMAKE_CURRENT_LIST_DIR}/RatchetDebStrip.cmake")
# cpack would first build every target, the test suite included; `make deb`
# builds what the packages hold and no more. (So does `make install` in the
# build directory now: build first, or use cmake --build and cmake --install.)
set(CMAKE_SKIP_INSTALL_ALL_DEPENDENCY ON)

# One package per group; whatever is installed without a component (a man
# page, a completion) goes with the tool.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ONE_PER_GROUP)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)

set(CPACK_DEBIAN_TOOL_PACKAGE_NAME ratchet)
set(CPACK_DEBIAN_TOOL_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_DEV_PACKAGE_NAME libratchet-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS
  "libsqlite3-dev, libpq-dev, libssl-dev, libfmt-dev, nlohmann-json3-dev, libtomlplusplus-dev, libpg-query-dev")

include(CPack)
cpack_add_component_group(tool DESCRIPTION "the ratchet command")
cpack_add_component_group(dev DESCRIPTION "ratchet as a library: headers, libratchet.a, CMake package, ratchet.pc")
cpack_add_component(tool GROUP tool)
cpack_add_component(Unspecified GROUP tool)
cpack_add_component(dev GROUP dev)
