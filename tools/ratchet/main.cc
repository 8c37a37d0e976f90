// ratchet: upgrades the schema of live databases in place.
#include <CLI/CLI.hpp>

#include <iostream>

#include "common.h"
#include "util/fault.h"

int main(int argc, char** argv) {
  using namespace ratchet::tool;
  CLI::App app{
      "ratchet upgrades the schema of live databases in place, one item at a time, each "
      "committed with its bookkeeping, and always says where a database stands."};
  app.name("ratchet");
  app.set_version_flag("--version", std::string("ratchet ") + RATCHET_VERSION);
  app.require_subcommand(1);

  Runner run;
  for (SetupFunction setup : RegisteredCommands()) setup(app, &run);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : 2;  // --help and --version exit 0; bad usage exits 2
  }
  // A testing aid set wrongly must not pass for a run that converged.
  if (const std::string& fault = ratchet::fault::ConfigError(); !fault.empty()) {
    std::cerr << "ratchet: error: " << fault << "\n";
    return 2;
  }
  return run ? run() : 2;
}
