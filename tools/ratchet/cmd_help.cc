// `ratchet help [COMMAND]`: the same text as `ratchet [COMMAND] --help`.
#include <iostream>

#include "common.h"
#include "json_output.h"

namespace ratchet::tool {
namespace {

struct HelpCommandOptions {
  std::string command;
  bool json = false;
};

int RunHelp(const CLI::App& app, const HelpCommandOptions& options) {
  const CLI::App* about = &app;
  if (!options.command.empty()) {
    about = nullptr;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (command->get_name() == options.command) about = command;
    }
    if (about == nullptr) return ReportUnknownCommand(app, options.command);
  }
  // As --help words it: 'Usage: ratchet <command> ...'.
  // (app.help() would describe the command that was parsed: help itself.)
  std::string text = about == &app ? app.get_formatter()->make_help(&app, app.get_name(),
                                                                    CLI::AppFormatMode::Normal)
                                   : about->help(app.get_name());
  if (JsonMode()) {
    EmitJson("help", {{"topic", options.command.empty() ? "ratchet" : options.command},
                      {"text", text},
                      {"exit_code", 0}});
    return 0;
  }
  std::cout << text;
  return 0;
}

}  // namespace

void SetupHelpCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<HelpCommandOptions>();
  CLI::App* cmd =
      app.add_subcommand("help", "show the help of ratchet or of one command (as --help)");
  cmd->add_option("command", options->command, "the command to explain");
  AddJsonFlag(cmd, &options->json);
  const CLI::App* root = &app;
  cmd->callback(
      [options, run, root] { *run = [options, root] { return RunHelp(*root, *options); }; });
}

const CommandRegistration kHelpRegistered(1000, SetupHelpCommand);

}  // namespace ratchet::tool
