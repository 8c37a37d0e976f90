// Man pages and shell completions written from the command definitions
// themselves (`ratchet --generate man|bash|zsh|fish DIR`), so that they say
// exactly what `--help` says.
#ifndef RATCHET_TOOLS_RATCHET_CLI_DOCS_H_
#define RATCHET_TOOLS_RATCHET_CLI_DOCS_H_

#include <CLI/CLI.hpp>
#include <filesystem>

#include "ratchet/status.h"

namespace ratchet::tool {

// Writes into `dir`: for "man", ratchet.1 and ratchet-<command>.1 for every
// command; for "bash", "ratchet"; for "zsh", "_ratchet"; for "fish",
// "ratchet.fish". kInvalidArgument for another `what`, kIo when a file
// cannot be written.
Status GenerateCliDocs(const CLI::App& app, const std::string& what,
                       const std::filesystem::path& dir);

}  // namespace ratchet::tool

#endif  // RATCHET_TOOLS_RATCHET_CLI_DOCS_H_
