// `ratchet new`: creates the next item file.
#include <fmt/format.h>

#include <iostream>

#include "common.h"
#include "json_output.h"
#include "ratchet/authoring.h"
#include "ratchet/text.h"

namespace ratchet::tool {
namespace {

struct NewCommandOptions {
  std::string set_dir = ".";
  NewItemOptions item;
  std::string backport;
};

int RunNew(NewCommandOptions options) {
  if (!options.backport.empty()) options.item.backport = options.backport;
  auto path = CreateItemFile(options.set_dir, options.item);
  if (!path.ok()) return ReportError(path.status());
  if (JsonMode()) {
    EmitJson("item-created", {{"path", path->string()},
                              {"file", "items/" + path->filename().string()},
                              {"exit_code", 0},
                              {"next", "ratchet lint --set " + ShellQuote(options.set_dir)}});
    return 0;
  }
  std::cout << "Created " << path->string() << "\n";
  return 0;
}

}  // namespace

void SetupNewCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<NewCommandOptions>();
  CLI::App* cmd = app.add_subcommand("new", "create the next item file");
  cmd->add_option("description", options->item.description,
                  "what the item does, e.g. add_isbn_index")
      ->required();
  cmd->add_option("--set", options->set_dir, "directory of the upgrade set")->capture_default_str();
  cmd->add_option("--ticket", options->item.ticket, "ticket number (digits)")
      ->capture_default_str();
  cmd->add_option("--backport", options->backport,
                  "back-port onto the line of this version or release: next minor (V2 -> V2.1)");
  cmd->add_option("--engine", options->item.engine,
                  "write an engine variant (sqlite or postgresql) instead of a file for all");
  AddJsonFlag(cmd);
  cmd->callback([options, run] { *run = [options] { return RunNew(*options); }; });
}

const CommandRegistration kNewRegistered(100, SetupNewCommand);

}  // namespace ratchet::tool
