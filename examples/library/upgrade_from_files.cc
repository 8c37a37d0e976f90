// upgrade_from_files: the smallest program that uses ratchet as a library.
// It loads an upgrade set from its directory, upgrades one database to the
// set's newest release and prints where the database stands.
//
//   upgrade_from_files SET_DIR DB
//
// Exit codes are the ratchet tool's: 0 done, 1 an item failed, 2 bad usage,
// bad set or unreachable database, 4 lock busy, 5 refused.
#include <iostream>

#include "ratchet/engine.h"
#include "ratchet/runner.h"
#include "ratchet/status.h"
#include "ratchet/upgrade_set.h"

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: upgrade_from_files SET_DIR DB\n";
    return 2;
  }
  auto target = ratchet::ParseTarget(argv[2]);
  if (!target.ok()) {
    std::cerr << "upgrade_from_files: " << target.status().message() << "\n";
    return ratchet::ExitCodeFor(target.status());
  }
  ratchet::LoadOptions load;
  load.parse_for = target->kind;
  auto set = ratchet::LoadUpgradeSet(argv[1], load);
  if (!set.ok()) {
    std::cerr << "upgrade_from_files: " << set.status().message() << "\n";
    return ratchet::ExitCodeFor(set.status());
  }
  ratchet::ConnectOptions connect;
  connect.history_schema = set->project.history_schema;
  auto conn = ratchet::Connect(*target, connect);
  if (!conn.ok()) {
    std::cerr << "upgrade_from_files: " << conn.status().message() << "\n";
    return ratchet::ExitCodeFor(conn.status());
  }
  auto summary = ratchet::Upgrade(**conn, *set, ratchet::UpgradeOptions{}, nullptr);
  if (!summary.ok()) {
    std::cerr << "upgrade_from_files: " << summary.status().message() << "\n";
    return ratchet::ExitCodeFor(summary.status());
  }
  auto status = ratchet::ReadStatus(**conn, *set);
  if (!status.ok()) {
    std::cerr << "upgrade_from_files: " << status.status().message() << "\n";
    return ratchet::ExitCodeFor(status.status());
  }
  std::cout << (*conn)->display_name() << ": " << summary->applied << " item(s) applied; status "
            << status->status << ", release " << status->release << ", " << status->applied.size()
            << " item(s) recorded\n";
  return 0;
}
