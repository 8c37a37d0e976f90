# Tests of ratchet as a library: sets compiled into ratchet_tests by
# ratchet_embed_set (compared with the same sets loaded from their
# directories), the embedded example run against each engine, and the
# consumers built out of tree against an installed prefix.
ratchet_embed_set(ratchet_tests examples/bookshop NAME bookshop_embedded)
ratchet_embed_set(ratchet_tests tests/sets/embedded_bytes NAME bytes_embedded)
ratchet_embed_set(ratchet_tests tests/sets/embedded_bad NAME bad_embedded)

target_compile_definitions(ratchet_tests PRIVATE
  RATCHET_GUESTBOOK_BIN="$<TARGET_FILE:guestbook>")
add_dependencies(ratchet_tests guestbook)

# Installs to a temporary prefix, then builds examples/embedded with CMake
# (find_package) and examples/library with pkg-config against it, and runs
# both on a SQLite file and on the test PostgreSQL server. In a sanitizer
# build the consumers are built with the same sanitizers, as the library is.
add_test(NAME Install.ConsumersBuildAgainstAnInstalledPrefix
  COMMAND bash "${PROJECT_SOURCE_DIR}/tests/install/consumers_test.sh"
          "${PROJECT_BINARY_DIR}" "${PROJECT_SOURCE_DIR}" "${RATCHET_SANITIZE}")
set_tests_properties(Install.ConsumersBuildAgainstAnInstalledPrefix PROPERTIES
  TIMEOUT 600 SKIP_RETURN_CODE 77)
