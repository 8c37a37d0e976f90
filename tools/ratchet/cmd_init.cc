// `ratchet init [DIR]`: a new, empty upgrade set to start from.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "json_output.h"
#include "ratchet/authoring.h"
#include "ratchet/text.h"

namespace ratchet::tool {
namespace {

struct InitCommandOptions {
  std::string dir = ".";
  std::string name;
};

int RunInit(const InitCommandOptions& options) {
  Status created = CreateUpgradeSet(options.dir, options.name);
  if (!created.ok()) return ReportError(created);
  const std::string set = options.dir == "." ? "" : " --set " + ShellQuote(options.dir);
  const std::string next = "ratchet new" + set + " create_first_tables";
  if (JsonMode()) {
    EmitJson("set-created", {{"dir", options.dir},
                             {"files", {"ratchet.toml", "items/", "schema/"}},
                             {"exit_code", 0},
                             {"next", next}});
    return 0;
  }
  std::cout << fmt::format(
      "Created an upgrade set in {}: ratchet.toml (every setting, commented), items/ for the "
      "item files and schema/ for the fresh-install schema of each release.\n"
      "Next: write the first item with: {}\n",
      options.dir, next);
  return 0;
}

}  // namespace

void SetupInitCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<InitCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "init", "start a new upgrade set: a commented ratchet.toml, items/ and schema/");
  cmd->add_option("dir", options->dir, "directory of the new set (created if missing)")
      ->capture_default_str();
  cmd->add_option("--name", options->name,
                  "the project's name in ratchet.toml; default: the directory's name");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunInit(*options); }; });
}

const CommandRegistration kInitRegistered(3, SetupInitCommand);

}  // namespace ratchet::tool
