// guestbook: a small program that owns its database schema and upgrades the
// database itself when it starts. The schema's upgrade set (upgrades/) is
// compiled in by ratchet_embed_set(), so nothing but the binary is deployed.
//
//   guestbook --db DB [--sign NAME [--message TEXT]]   upgrade, then run
//   guestbook --db DB --upgrade-only                   upgrade (or retry), exit
//   guestbook --db DB --prepare | --finalize | --rollback
//                                                      the online path
//
// DB is "sqlite:FILE" or a PostgreSQL URL or keyword string. Exit codes:
// 0 done, 1 an upgrade item failed, 2 bad usage or unreachable database,
// 4 another upgrade holds the lock, 5 refused to start (the message says
// why and what to run), 128+N stopped by signal N.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>

#include "guestbook_set.h"
#include "ratchet/embedded_set.h"
#include "ratchet/engine.h"
#include "ratchet/interrupt.h"
#include "ratchet/online.h"
#include "ratchet/runner.h"
#include "ratchet/status.h"

namespace {

enum class Mode { kStart, kUpgradeOnly, kPrepare, kFinalize, kRollback };

struct Options {
  std::string db;
  Mode mode = Mode::kStart;
  std::string sign;  // sign the guestbook with this name
  std::string message;
};

constexpr int kRefusedToStart = 5;

// One line per item: "  [2/3] V2 index entries by name ... ok (3 ms)".
class LineReporter : public ratchet::Reporter {
 public:
  void ItemStarted(const ratchet::Item& item, size_t index, size_t count) override {
    std::cout << "  [" << index << "/" << count << "] " << item.version.ToString() << " "
              << item.description << " ... " << std::flush;
  }
  void ItemFinished(const ratchet::Item& item, ratchet::ItemOutcome outcome,
                    std::chrono::milliseconds elapsed, const ratchet::Status& error) override {
    bool ok = outcome == ratchet::ItemOutcome::kApplied;
    std::cout << (ok ? "ok" : "failed") << " (" << elapsed.count() << " ms)\n";
  }
  void Note(const std::string& text) override { std::cout << "  " << text << "\n"; }
};

// `text` quoted for the POSIX shell, for the commands the messages name.
std::string Quote(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The command an operator types to run guestbook with `flag` on `db`.
std::string Command(const std::string& db, const std::string& flag) {
  return "guestbook --db " + Quote(db) + (flag.empty() ? "" : " " + flag);
}

// Prints the library's message, with the file:line:column of a failed item
// and the statement, and returns the exit code for it.
int Fail(const std::string& what, const ratchet::Status& status) {
  std::cerr << "guestbook: " << what << ": " << status.message() << "\n";
  if (const ratchet::DbError* e = status.db_error(); e != nullptr && !e->statement.empty()) {
    std::cerr << "  statement: " << e->statement.substr(0, 400) << "\n";
  }
  return ratchet::ExitCodeFor(status);
}

// Whether the program may start on a database in `status`, before it
// upgrades it: not on one a newer guestbook upgraded, one whose last upgrade
// failed, or one in the middle of an online upgrade. Prints why not and
// what to run.
bool MayStart(const ratchet::DatabaseStatus& status, const ratchet::UpgradeSet& set) {
  const std::string& db = status.database;
  if (!status.plan.unknown.empty()) {
    std::cerr << "guestbook: refusing to start: " << db
              << " was upgraded by a newer guestbook. It has";
    for (const ratchet::AppliedItem& item : status.plan.unknown) {
      std::cerr << " " << item.version.ToString() << " (" << item.description << ")";
    }
    std::cerr << ", which this guestbook does not know: its schema ends at "
              << set.items.back().version.ToString() << ".\n"
              << "Run the newer guestbook on it, or restore the backup taken before that "
                 "upgrade.\n";
    return false;
  }
  if (status.status == "failed-upgrade") {
    std::cerr << "guestbook: refusing to start: the last upgrade of " << db << " failed";
    if (status.last_error) {
      const ratchet::RecordedError& e = *status.last_error;
      std::cerr << " at " << e.version << " (" << e.file << ":" << e.line << ":" << e.column << ": "
                << e.message << ")";
    }
    std::cerr << ". The database is marked failed-upgrade; the items before it stay applied"
              << (status.release.empty() ? "" : " (release " + status.release + ")") << ".\n"
              << "Fix what the error names in the database, then retry the upgrade with: "
              << Command(db, "--upgrade-only") << "\n";
    return false;
  }
  if (status.status == "prepared" || status.status == "preparing" ||
      status.status == "failed-prepare" || status.status == "finalizing" ||
      status.status == "rolling-back") {
    std::cerr << "guestbook: refusing to start: an online upgrade of " << db
              << " is under way (state " << status.status << ").\n"
              << (status.status == "prepared" ? "Finalize it with: " : "Prepare it again with: ")
              << Command(db, status.status == "prepared" ? "--finalize" : "--prepare")
              << "\nor undo it with: " << Command(db, "--rollback") << "\n";
    return false;
  }
  return true;
}

// Brings the database up to the set's newest release.
int UpgradeDatabase(ratchet::Connection& conn, const ratchet::UpgradeSet& set) {
  LineReporter reporter;
  auto summary = ratchet::Upgrade(conn, set, ratchet::UpgradeOptions{}, &reporter);
  if (!summary.ok()) {
    int code = Fail("upgrade failed", summary.status());
    if (summary.status().code() == ratchet::Code::kUpgradeFailed) {
      std::cerr << "The failed item was undone; the items before it stay applied. Fix the "
                   "cause, then run: "
                << Command(conn.display_name(), "--upgrade-only") << "\n";
    } else if (summary.status().code() == ratchet::Code::kInterrupted) {
      std::cerr << "Run the same command again to go on where it stopped.\n";
    }
    return code;
  }
  if (summary->applied > 0) {
    std::cout << "guestbook: upgraded " << conn.display_name() << ": " << summary->applied
              << " item(s) applied, release " << summary->release << "\n";
  }
  return 0;
}

int Prepare(ratchet::Connection& conn, const ratchet::UpgradeSet& set) {
  LineReporter reporter;
  auto summary = ratchet::PrepareItems(conn, set, ratchet::PrepareOptions{}, &reporter);
  if (!summary.ok()) return Fail("prepare failed", summary.status());
  std::cout << "guestbook: prepared " << summary->prepared << " item(s) on " << conn.display_name()
            << "; the running guestbook goes on. Next, with the new "
            << "guestbook deployed: " << Command(conn.display_name(), "--finalize") << "\n";
  return 0;
}

int Finalize(ratchet::Connection& conn, const ratchet::UpgradeSet& set) {
  auto ready = ratchet::CheckFinalizeReady(conn, set);
  if (!ready.ok()) return Fail("cannot finalize", ready.status());
  if (*ready != ratchet::FinalizeReadiness::kPrepared) {
    std::cout << "guestbook: nothing to finalize on " << conn.display_name() << "\n";
    return 0;
  }
  // The point of no return: the finalize sections and the bookkeeping
  // commit together, or nothing does.
  LineReporter reporter;
  auto pivot = ratchet::PivotDatabase(conn, set, ratchet::UpgradeOptions{}, &reporter);
  if (!pivot.ok()) return Fail("finalize failed; the database is still prepared", pivot.status());
  std::cout << "guestbook: finalized " << pivot->finalized << " item(s); " << conn.display_name()
            << " is at release " << pivot->release << "\n";
  return 0;
}

int Rollback(ratchet::Connection& conn, const ratchet::UpgradeSet& set) {
  LineReporter reporter;
  auto summary = ratchet::RollBackPrepared(conn, set, ratchet::UpgradeOptions{}, &reporter);
  if (!summary.ok()) return Fail("rollback failed", summary.status());
  std::cout << "guestbook: rolled back " << summary->rolled_back << " item(s) on "
            << conn.display_name() << "\n";
  return 0;
}

// The guestbook's own work, on the upgraded schema.
int Run(ratchet::Connection& conn, const Options& options) {
  if (!options.sign.empty()) {
    char now[32];
    std::time_t t = std::time(nullptr);
    std::strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
    ratchet::Status s = conn.Execute(
        "INSERT INTO entries (id, name, message, signed_at) "
        "VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM entries), $1, $2, $3)",
        {options.sign, options.message, std::string(now)});
    if (!s.ok()) return Fail("cannot sign", s);
  }
  auto count = conn.Query("SELECT COUNT(*) FROM entries");
  if (!count.ok()) return Fail("cannot read the guestbook", count.status());
  std::cout << "guestbook: " << count->rows[0][0].value_or("0") << " entries\n";
  return 0;
}

void OnSignal(int signal_number) { ratchet::RequestInterrupt(signal_number); }

bool ParseArgs(int argc, char** argv, Options* options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (arg == "--db") {
      if (!value(&options->db)) return false;
    } else if (arg == "--sign") {
      if (!value(&options->sign)) return false;
    } else if (arg == "--message") {
      if (!value(&options->message)) return false;
    } else if (arg == "--upgrade-only") {
      options->mode = Mode::kUpgradeOnly;
    } else if (arg == "--prepare") {
      options->mode = Mode::kPrepare;
    } else if (arg == "--finalize") {
      options->mode = Mode::kFinalize;
    } else if (arg == "--rollback") {
      options->mode = Mode::kRollback;
    } else {
      return false;
    }
  }
  return !options->db.empty();
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  if (!ParseArgs(argc, argv, &options)) {
    std::cerr << "usage: guestbook --db DB [--sign NAME [--message TEXT]]\n"
                 "       guestbook --db DB --upgrade-only | --prepare | --finalize | "
                 "--rollback\n";
    return 2;
  }
  // Ctrl-C and SIGTERM stop an upgrade cleanly: the running statement is
  // cancelled, the item rolled back, and the state records where it stopped.
  struct sigaction action = {};
  action.sa_handler = OnSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);

  auto target = ratchet::ParseTarget(options.db);
  if (!target.ok()) return Fail("bad --db", target.status());
  ratchet::LoadOptions load;
  load.parse_for = target->kind;  // a bad item stops here, before any connection
  auto set = ratchet::LoadEmbeddedSet(guestbook_set(), load);
  if (!set.ok()) return Fail("the schema compiled into guestbook does not load", set.status());
  ratchet::ConnectOptions connect;
  connect.history_schema = set->project.history_schema;
  auto conn = ratchet::Connect(*target, connect);
  if (!conn.ok()) return Fail("cannot open the database", conn.status());

  switch (options.mode) {
    case Mode::kUpgradeOnly:
      return UpgradeDatabase(**conn, *set);
    case Mode::kPrepare:
      return Prepare(**conn, *set);
    case Mode::kFinalize:
      return Finalize(**conn, *set);
    case Mode::kRollback:
      return Rollback(**conn, *set);
    case Mode::kStart:
      break;
  }
  auto status = ratchet::ReadStatus(**conn, *set);
  if (!status.ok()) return Fail("cannot read the database's state", status.status());
  if (!MayStart(*status, *set)) return kRefusedToStart;
  if (int code = UpgradeDatabase(**conn, *set); code != 0) return code;
  return Run(**conn, options);
}
