// verify and baseline --detect: scratch databases built from the releases'
// fresh schemas, brought to the head by each upgrade path, and compared
// object by object.
#include "ratchet/verify.h"

#include <fmt/format.h>

#include <algorithm>

#include "engine/scratch.h"
#include "ratchet/online.h"
#include "ratchet/plan.h"
#include "ratchet/runner.h"
#include "verify/schema_file.h"

namespace ratchet {
namespace {

namespace fs = std::filesystem;

// How long a scratch database waits for its own upgrade lock: nobody else
// knows it exists, so this only guards against a bug.
constexpr std::chrono::milliseconds kScratchLockWait{10000};

// Releases ordered by head version, oldest first.
std::vector<const Release*> ReleasesInOrder(const UpgradeSet& set) {
  std::vector<const Release*> out;
  for (const Release& r : set.project.releases) out.push_back(&r);
  std::stable_sort(out.begin(), out.end(),
                   [](const Release* a, const Release* b) { return a->head < b->head; });
  return out;
}

// `status` from running `section` of `item`, positioned in the item file.
Status InItem(const Item& item, const Section& section, const Status& status) {
  size_t at = section.offset;
  if (const DbError* e = status.db_error();
      e != nullptr && e->statement_offset != std::string::npos) {
    at += e->statement_offset;
  }
  return Status(status.code(), fmt::format("{}: {}", item.Position(at), status.message()));
}

// Applies the prepare and finalize sections of `item` as the runner would,
// in one transaction unless the item runs outside one, without bookkeeping.
Status ApplyAgain(Connection& conn, const Item& item) {
  bool in_transaction = item.transaction != TransactionMode::kNone;
  std::vector<const Section*> sections;
  for (SectionKind kind : {SectionKind::kPrepare, SectionKind::kFinalize}) {
    if (const Section* s = item.section(kind)) {
      sections.push_back(s);
      if (s->non_transactional) in_transaction = false;
    }
  }
  if (in_transaction) RATCHET_RETURN_IF_ERROR(conn.Begin());
  for (const Section* section : sections) {
    Status s = conn.ExecuteScript(section->text);
    if (!s.ok()) {
      if (in_transaction) conn.Rollback();
      return InItem(item, *section, s);
    }
  }
  return in_transaction ? conn.Commit() : Status::Ok();
}

class Verifier {
 public:
  Verifier(const UpgradeSet& set, const VerifyOptions& options, VerifyListener* listener,
           ScratchServer& server, const Release& head)
      : set_(set), options_(options), listener_(listener), server_(server), head_(head) {
    snapshot_options_.history_schema = set.project.history_schema;
  }

  // Builds the head's fresh install and snapshots it.
  Status ReadExpected() {
    auto db = server_.Create();
    if (!db.ok()) return db.status();
    RATCHET_RETURN_IF_ERROR(
        LoadSchemaFile((*db)->conn(), set_.dir, FreshSchemaFile(set_, head_.name, engine())));
    auto snapshot = TakeSnapshot((*db)->conn(), snapshot_options_);
    if (!snapshot.ok()) return snapshot.status();
    expected_ = std::move(*snapshot);
    return Status::Ok();
  }

  // Starts from `from` (nullptr: an empty database), goes to the head by
  // `path`, and compares.
  VerifyRun Run(const Release* from, const UpgradePath& path) {
    VerifyRun run;
    run.from = from ? from->name : "";
    run.path = path.name;
    auto db = server_.Create();
    if (!db.ok()) {
      run.error = db.status();
      return run;
    }
    Connection& conn = (*db)->conn();
    if (from != nullptr) {
      run.error = LoadSchemaFile(conn, set_.dir, FreshSchemaFile(set_, from->name, engine()));
      if (!run.error.ok()) return run;
      auto marked = Baseline(conn, set_, from->head, from->name, kScratchLockWait);
      if (!marked.ok()) {
        run.error = marked.status();
        return run;
      }
    }
    if (path.not_applicable) {
      run.not_applicable = path.not_applicable(conn, set_, head_.head);
      if (!run.not_applicable.empty()) return run;
    }
    run.error = path.run(conn, set_, head_.head);
    if (!run.error.ok()) return run;
    auto actual = TakeSnapshot(conn, snapshot_options_);
    if (!actual.ok()) {
      run.error = actual.status();
      return run;
    }
    run.differences = DiffSnapshots(expected_, *actual);
    return run;
  }

  // Brings an empty database to the head, then applies each item again.
  Status CheckIdempotence(VerifyReport* report) {
    report->idempotence_checked = true;
    auto db = server_.Create();
    if (!db.ok()) return db.status();
    Connection& conn = (*db)->conn();
    RATCHET_RETURN_IF_ERROR(PlainUpgradePath().run(conn, set_, head_.head));
    auto before = TakeSnapshot(conn, snapshot_options_);
    if (!before.ok()) return before.status();
    const Snapshot at_head = *before;
    PlanOptions to_head;
    to_head.target = head_.head;
    Plan plan = MakePlan(set_, engine(), {}, to_head);
    for (const Item* item : plan.pending) {
      ItemRerun rerun;
      rerun.version = item->version;
      rerun.file = "items/" + item->file_name;
      rerun.error = ApplyAgain(conn, *item);
      if (rerun.error.ok()) {
        auto after = TakeSnapshot(conn, snapshot_options_);
        if (!after.ok()) return after.status();
        // An item that only undoes what an earlier item's second run did
        // (recreating a view that one replaced) leaves the head's schema:
        // it is not to blame.
        if (!DiffSnapshots(at_head, *after).empty()) rerun.changes = DiffSnapshots(*before, *after);
        before = std::move(after);
      }
      ++report->items_rerun;
      bool idempotent = rerun.error.ok() && rerun.changes.empty();
      if (!idempotent) report->not_idempotent.push_back(rerun);
      if (listener_) listener_->ItemRerunDone(*item, idempotent ? nullptr : &rerun);
    }
    return Status::Ok();
  }

 private:
  EngineKind engine() const { return options_.scratch.engine; }

  const UpgradeSet& set_;
  const VerifyOptions& options_;
  VerifyListener* listener_;
  ScratchServer& server_;
  const Release& head_;
  SnapshotOptions snapshot_options_;
  Snapshot expected_;
};

// An optional item that fails on a scratch database fails on a fresh
// install too: names each one recorded as failed, rather than leaving the
// reader to guess from what the comparison finds missing.
Status OptionalFailures(Connection& conn, const UpgradeSet& set) {
  auto status = ReadStatus(conn, set);
  if (!status.ok()) return status.status();
  std::string failed;
  for (const AppliedItem& a : status->applied) {
    if (a.phase != Phase::kFailed) continue;
    failed += fmt::format("{}{}: {}", failed.empty() ? "" : "; ", a.version.ToString(), a.error);
  }
  if (failed.empty()) return Status::Ok();
  return Status(Code::kUpgradeFailed, "optional item(s) failed: " + failed);
}

UpgradeOptions ScratchUpgradeOptions(const Version& head) {
  UpgradeOptions options;
  options.target = head;
  options.lock_wait = kScratchLockWait;
  return options;
}

}  // namespace

fs::path FreshSchemaFile(const UpgradeSet& set, const std::string& release, EngineKind engine) {
  std::error_code ec;
  fs::path own = set.dir / "schema" / fmt::format("{}.{}.sql", release, EngineName(engine));
  if (fs::is_regular_file(own, ec)) return own;
  fs::path generic = set.dir / "schema" / (release + ".sql");
  if (fs::is_regular_file(generic, ec)) return generic;
  return {};
}

UpgradePath PlainUpgradePath() {
  UpgradePath path;
  path.name = "upgrade";
  path.run = [](Connection& conn, const UpgradeSet& set, const Version& head) -> Status {
    auto summary = Upgrade(conn, set, ScratchUpgradeOptions(head), nullptr);
    if (!summary.ok()) return summary.status();
    return OptionalFailures(conn, set);
  };
  return path;
}

UpgradePath OnlineUpgradePath() {
  UpgradePath path;
  path.name = "prepare + finalize";
  path.run = [](Connection& conn, const UpgradeSet& set, const Version& head) -> Status {
    // A release's prepare sections are written against the schema of the
    // release before it, so a database several releases behind goes online
    // one release at a time, as its operators would: each main-line release
    // (a back-port line's release is no step towards the head) up to `head`.
    auto status = ReadStatus(conn, set);
    if (!status.ok()) return status.status();
    const Release* at = set.FindRelease(status->release);
    std::vector<Version> steps;
    for (const Release& r : set.project.releases) {
      if (r.head.minor == 0 && (at == nullptr || at->head < r.head) && r.head < head) {
        steps.push_back(r.head);
      }
    }
    // Releases that share a head (one that changed nothing for this engine)
    // are one step.
    std::sort(steps.begin(), steps.end());
    steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
    steps.push_back(head);
    for (const Version& step : steps) {
      PrepareOptions prepare;
      prepare.upgrade = ScratchUpgradeOptions(step);
      auto prepared = PrepareItems(conn, set, prepare, nullptr);
      if (!prepared.ok()) return prepared.status();
      // As an operator would: the dry run first, then the pivot.
      RATCHET_RETURN_IF_ERROR(DryRunFinalize(conn, set, prepare.upgrade, nullptr));
      auto pivoted = PivotDatabase(conn, set, prepare.upgrade, nullptr);
      if (!pivoted.ok()) return pivoted.status();
    }
    return OptionalFailures(conn, set);
  };
  path.not_applicable = [](Connection& conn, const UpgradeSet& set,
                           const Version& head) -> std::string {
    auto status = ReadStatus(conn, set);
    if (!status.ok()) return "";  // the run itself reports it
    PlanOptions up_to;
    up_to.target = head;
    Plan plan = MakePlan(set, conn.kind(), status->applied, up_to);
    Status fit = CheckFitForOnline(plan.pending);
    return fit.ok() ? "" : "items on the way cannot take the online path:" + fit.message();
  };
  return path;
}

std::vector<UpgradePath> AllUpgradePaths() { return {PlainUpgradePath(), OnlineUpgradePath()}; }

bool VerifyReport::ok() const {
  for (const VerifyRun& run : runs) {
    if (!run.ok()) return false;
  }
  return not_idempotent.empty();
}

Result<VerifyReport> VerifyUpgradeSet(const UpgradeSet& set, const VerifyOptions& options,
                                      VerifyListener* listener) {
  std::vector<const Release*> releases = ReleasesInOrder(set);
  if (releases.empty()) {
    return Status(Code::kInvalidSet,
                  "ratchet.toml declares no [[release]]: verify upgrades each release's fresh "
                  "install to the newest release; declare releases and write "
                  "schema/<release>.sql for them");
  }
  const Release& head = *releases.back();
  const EngineKind engine = options.scratch.engine;
  if (FreshSchemaFile(set, head.name, engine).empty()) {
    return Status(Code::kInvalidSet,
                  fmt::format("the newest release {} has no fresh-install schema: verify "
                              "compares every upgrade with it; write schema/{}.sql (or "
                              "schema/{}.{}.sql)",
                              head.name, head.name, head.name, EngineName(engine)));
  }
  auto server = OpenScratchServer(options.scratch, set.project.history_schema);
  if (!server.ok()) return server.status();

  VerifyReport report;
  report.head = head.name;
  report.reclaimed = (*server)->reclaimed();
  for (const Item* item : set.ItemsFor(engine)) {
    if (head.head < item->version) report.uncovered.push_back(item->version);
  }
  Verifier verifier(set, options, listener, **server, head);
  RATCHET_RETURN_IF_ERROR(verifier.ReadExpected());

  std::vector<const Release*> starts = {nullptr};  // an empty database first
  for (const Release* r : releases) {
    if (FreshSchemaFile(set, r->name, engine).empty()) {
      report.without_schema.push_back(r->name);
    } else {
      starts.push_back(r);
    }
  }
  const std::vector<UpgradePath> paths = options.paths.empty() ? AllUpgradePaths() : options.paths;
  for (const Release* from : starts) {
    for (const UpgradePath& path : paths) {
      report.runs.push_back(verifier.Run(from, path));
      if (listener) listener->RunDone(report.runs.back());
    }
  }
  if (options.idempotent) {
    Status s = verifier.CheckIdempotence(&report);
    if (!s.ok()) {
      return s.WithContext("cannot check idempotence: an empty database does not reach " +
                           head.name);
    }
  }
  return report;
}

Result<DetectReport> DetectRelease(Connection& conn, const UpgradeSet& set,
                                   const ScratchOptions& scratch) {
  SnapshotOptions snapshot_options;
  snapshot_options.history_schema = set.project.history_schema;
  auto live = TakeSnapshot(conn, snapshot_options);
  if (!live.ok()) return live.status();

  DetectReport report;
  std::vector<const Release*> releases = ReleasesInOrder(set);
  std::vector<const Release*> comparable;
  for (const Release* r : releases) {
    if (FreshSchemaFile(set, r->name, scratch.engine).empty()) {
      report.without_schema.push_back(r->name);
    } else {
      comparable.push_back(r);
    }
  }
  if (comparable.empty()) {
    return Status(Code::kInvalidSet,
                  "no release has a fresh-install schema to compare with: write "
                  "schema/<release>.sql for the releases in ratchet.toml");
  }
  auto server = OpenScratchServer(scratch, set.project.history_schema);
  if (!server.ok()) return server.status();
  // Newest first, so that on a tie the stable sort keeps the newer release.
  for (auto it = comparable.rbegin(); it != comparable.rend(); ++it) {
    auto db = (*server)->Create();
    if (!db.ok()) return db.status();
    RATCHET_RETURN_IF_ERROR(
        LoadSchemaFile((*db)->conn(), set.dir, FreshSchemaFile(set, (*it)->name, scratch.engine)));
    auto fresh = TakeSnapshot((*db)->conn(), snapshot_options);
    if (!fresh.ok()) return fresh.status();
    report.candidates.push_back({(*it)->name, DiffSnapshots(*fresh, *live)});
  }
  std::stable_sort(report.candidates.begin(), report.candidates.end(),
                   [](const ReleaseMatch& a, const ReleaseMatch& b) {
                     return a.differences.size() < b.differences.size();
                   });
  return report;
}

}  // namespace ratchet
