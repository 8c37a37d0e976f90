# Man pages and shell completions, written by the built tool from its own
# command definitions (`ratchet --generate ...`), so they cannot drift from
# `ratchet --help`; and the rules that install them.
include(GNUInstallDirs)

set(RATCHET_CLI_DOCS_DIR ${CMAKE_BINARY_DIR}/cli-docs)
add_custom_command(
  OUTPUT ${RATCHET_CLI_DOCS_DIR}/stamp
  COMMAND ${CMAKE_COMMAND} -E rm -rf ${RATCHET_CLI_DOCS_DIR}/man
  COMMAND $<TARGET_FILE:ratchet> --generate man ${RATCHET_CLI_DOCS_DIR}/man
  COMMAND $<TARGET_FILE:ratchet> --generate bash ${RATCHET_CLI_DOCS_DIR}/bash
  COMMAND $<TARGET_FILE:ratchet> --generate zsh ${RATCHET_CLI_DOCS_DIR}/zsh
  COMMAND $<TARGET_FILE:ratchet> --generate fish ${RATCHET_CLI_DOCS_DIR}/fish
  COMMAND ${CMAKE_COMMAND} -E touch ${RATCHET_CLI_DOCS_DIR}/stamp
  DEPENDS ratchet
  COMMENT "Writing ratchet's man pages and shell completions"
  VERBATIM)
add_custom_target(ratchet_cli_docs ALL DEPENDS ${RATCHET_CLI_DOCS_DIR}/stamp)

install(DIRECTORY ${RATCHET_CLI_DOCS_DIR}/man/
        DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        FILES_MATCHING PATTERN "*.1")
install(FILES ${RATCHET_CLI_DOCS_DIR}/bash/ratchet
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${RATCHET_CLI_DOCS_DIR}/zsh/_ratchet
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${RATCHET_CLI_DOCS_DIR}/fish/ratchet.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
