// `ratchet plan`: the items an upgrade would run, in order, without running them.
#include <fmt/format.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "common.h"
#include "json_output.h"
#include "ratchet/sql_preview.h"

namespace ratchet::tool {
namespace {

struct PlanCommandOptions {
  CommonOptions common;
  std::string to;
  bool json = false;
  bool sql = false;
};

// The statements an upgrade of the session's database would send. A SQLite
// file that does not exist yet is previewed on an empty scratch file, as an
// upgrade would create it.
Result<std::vector<PreviewStatement>> PreviewStatements(Session& session,
                                                        const PlanOptions& plan_options) {
  UpgradeOptions upgrade;
  upgrade.target = plan_options.target;
  if (!session.missing) return PreviewUpgrade(*session.conn, *session.set, upgrade);
  char dir_template[] = "/tmp/ratchet-plan-XXXXXX";
  if (mkdtemp(dir_template) == nullptr) {
    return Status(Code::kIo,
                  std::string("cannot create a scratch directory: ") + std::strerror(errno));
  }
  std::filesystem::path dir(dir_template);
  Target scratch{EngineKind::kSqlite, (dir / "new.db").string(), session.target.display};
  ConnectOptions connect;
  connect.history_schema = session.set->project.history_schema;
  Result<std::vector<PreviewStatement>> out = Status(Code::kInternal, "not previewed");
  {
    auto conn = Connect(scratch, connect);
    out = conn.ok() ? PreviewUpgrade(**conn, *session.set, upgrade)
                    : Result<std::vector<PreviewStatement>>(conn.status());
  }
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
  return out;
}

std::string Sections(const Item& item) {
  std::string out;
  for (const Section& s : item.sections)
    out += (out.empty() ? "" : ",") + std::string(SectionName(s.kind));
  return out;
}

bool Journaled(const Item& item) {
  if (item.transaction == TransactionMode::kNone) return true;
  for (const Section& s : item.sections) {
    if (s.non_transactional) return true;
  }
  return false;
}

int RunPlan(const PlanCommandOptions& options) {
  auto session = OpenSession(options.common, OpenMode::kMayBeMissing, /*defer_parse=*/true);
  if (!session.ok()) return ReportError(session.status());
  PlanOptions plan_options;
  if (!options.to.empty()) {
    auto target = ResolveTarget(*session->set, options.to);
    if (!target.ok()) return ReportError(target.status());
    plan_options.target = *target;
  }
  auto st = SessionStatus(*session);
  if (!st.ok()) return ReportError(st.status());
  Plan plan = MakePlan(*session->set, st->engine, st->applied, plan_options);
  // Only the pending items are parsed: their transaction mode is shown.
  std::deque<Item> parsed;
  Status parse = ParseDeferredItems(st->engine, &plan.pending, &parsed);
  if (!parse.ok()) return ReportError(parse);
  std::vector<PreviewStatement> statements;
  if (options.sql) {
    auto preview = PreviewStatements(*session, plan_options);
    if (!preview.ok()) return ReportError(preview.status());
    statements = std::move(*preview);
  }
  if (options.sql && !options.json) {
    std::cout << fmt::format(
        "-- ratchet plan --sql: the statements 'ratchet upgrade' would send to {}, in order\n"
        "-- ({} pending item(s)). Lines '-- ratchet: bookkeeping' and '-- ratchet: "
        "transaction'\n-- mark ratchet's own statements; '-- ratchet: action' is what it does "
        "besides SQL.\n-- Times, the upgrade id and durations are the preview's; a real run "
        "decides its own.\n",
        st->database, plan.pending.size());
    std::cout << FormatSqlPreview(statements);
    return 0;
  }
  if (options.json) {
    nlohmann::json j;
    j["database"] = st->database;
    j["engine"] = EngineName(st->engine);
    j["pending"] = nlohmann::json::array();
    for (const Item* item : plan.pending) {
      nlohmann::json requires_list = nlohmann::json::array();
      for (const Version& r : item->requires_versions) requires_list.push_back(r.ToString());
      j["pending"].push_back({{"version", item->version.ToString()},
                              {"description", item->description},
                              {"ticket", item->ticket},
                              {"file", "items/" + item->file_name},
                              {"transaction", Journaled(*item) ? "none" : "item"},
                              {"no_sql", item->no_sql},
                              {"sections", Sections(*item)},
                              {"optional", item->optional},
                              {"effectively_optional", plan.IsEffectivelyOptional(item->version)},
                              {"requires", requires_list},
                              {"checksum", item->checksum}});
    }
    j["covered"] = nlohmann::json::array();
    for (const Item* item : plan.covered) j["covered"].push_back(item->version.ToString());
    j["drift"] = nlohmann::json::array();
    for (const Drift& d : plan.drift) j["drift"].push_back(d.version.ToString());
    j["unknown"] = nlohmann::json::array();
    for (const AppliedItem& a : plan.unknown) j["unknown"].push_back(a.version.ToString());
    j["would_refuse"] = !plan.drift.empty() || !plan.unknown.empty();
    nlohmann::ordered_json fields = Ordered(j);
    if (options.sql) {
      nlohmann::ordered_json list = nlohmann::ordered_json::array();
      for (const PreviewStatement& s : statements) {
        list.push_back({{"role", StatementRoleName(s.role)},
                        {"item", TextOrNull(s.item)},
                        {"file", TextOrNull(s.file)},
                        {"section", TextOrNull(s.section)},
                        {"sql", s.sql}});
      }
      fields["statements"] = list;
    }
    fields["exit_code"] = 0;
    EmitJson("plan", fields);
    return 0;
  }
  std::cout << fmt::format("Plan for {} ({} pending item(s))\n", st->database, plan.pending.size());
  for (const Item* item : plan.pending) {
    std::string notes;
    if (item->optional)
      notes +=
          plan.IsEffectivelyOptional(item->version) ? " optional" : " optional(required by others)";
    if (!item->requires_versions.empty()) {
      notes += " requires";
      for (const Version& r : item->requires_versions) notes += " " + r.ToString();
    }
    std::cout << fmt::format("  {:<7} {:<40} {:<12} {:<20}{}\n", item->version.ToString(),
                             item->description,
                             item->no_sql       ? "no SQL"
                             : Journaled(*item) ? "no-txn"
                                                : "transaction",
                             Sections(*item), notes);
  }
  for (const Item* item : plan.covered) {
    std::cout << fmt::format(
        "  {:<7} {:<40} skipped: same-as an item applied or earlier in this plan\n",
        item->version.ToString(), item->description);
  }
  if (!plan.drift.empty() || !plan.unknown.empty()) {
    std::cout << fmt::format(
        "Upgrade would refuse: {} drifted item(s), {} unknown version(s); "
        "see 'ratchet status'.\n",
        plan.drift.size(), plan.unknown.size());
    return ExitCodeFor(Status(Code::kRefused, ""));
  }
  return 0;
}

}  // namespace

void SetupPlanCommand(CLI::App& app, Runner* run) {
  auto options = std::make_shared<PlanCommandOptions>();
  CLI::App* cmd = app.add_subcommand("plan", "list the items an upgrade would apply, in order");
  AddCommonOptions(cmd, &options->common, /*with_lock_wait=*/false);
  cmd->add_option("--to", options->to, "plan up to this version or release");
  cmd->add_flag("--sql", options->sql,
                "print the exact SQL an upgrade would send, in order, with its transactions "
                "and ratchet's own bookkeeping statements marked");
  AddJsonFlag(cmd, &options->json);
  cmd->callback([options, run] { *run = [options] { return RunPlan(*options); }; });
}

const CommandRegistration kPlanRegistered(30, SetupPlanCommand);

}  // namespace ratchet::tool
