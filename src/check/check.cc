// The checks table and the run around it: the pending items parsed and
// analysed, a read-only transaction, each family in turn, and the report.
#include "ratchet/check.h"

#include <fmt/format.h>

#include <deque>
#include <map>

#include "check/check_context.h"

namespace ratchet {
namespace {

// The checks table: one row per family, in the order they run. A new kind
// of check is a new row.
struct CheckFamily {
  const char* name;
  const char* looks_at;
  Status (*run)(CheckContext&);
};

constexpr CheckFamily kFamilies[] = {
    {"requirements", "the server version, extensions and settings ratchet.toml requires",
     CheckRequirements},
    {"item checks", "the rows each pending item's check section returns", CheckItemQueries},
    {"name conflicts", "objects the pending items create that exist already", CheckNameConflicts},
    {"privileges",
     "what the connected role lacks to write the bookkeeping, create in the items' schemas and "
     "change tables it does not own",
     CheckPrivileges},
    {"rewrites and locks",
     "table rewrites, scans and index builds under a lock that blocks writers; table sizes and "
     "the disk room a rewrite needs",
     CheckRewritesAndLocks},
};

// Reads the pending items' prepare and finalize statements and what each
// will do, in the order an upgrade runs them.
Status AnalysePlan(CheckContext& context) {
  for (const Item* item : context.items) {
    for (SectionKind kind : {SectionKind::kPrepare, SectionKind::kFinalize}) {
      const Section* section = item->section(kind);
      if (section == nullptr) continue;
      auto effects = AnalyseSection(context.conn.kind(), section->text);
      if (!effects.ok()) {
        return Status(Code::kInvalidSet, fmt::format("{}: {}", item->Position(section->offset),
                                                     effects.status().message()));
      }
      for (StatementEffects& e : *effects) {
        context.statements.push_back({item, section, std::move(e)});
      }
    }
  }
  return Status::Ok();
}

// Opens the read-only transaction every check runs in. On PostgreSQL it
// also bounds how long a check waits for a lock or runs, with the project's
// timeouts, for this transaction only.
Status BeginReadOnly(Connection& conn, const Project& project) {
  return DriverFor(conn.kind())
      .BeginReadOnly(conn, project.lock_timeout, project.statement_timeout);
}

// Ends it: nothing a check did survives.
void EndReadOnly(Connection& conn) { DriverFor(conn.kind()).EndReadOnly(conn); }

std::string Counts(size_t problems, size_t warnings) {
  if (problems == 0 && warnings == 0) return "ok";
  std::string out;
  if (problems > 0) out += fmt::format("{} problem(s)", problems);
  if (warnings > 0) out += fmt::format("{}{} warning(s)", out.empty() ? "" : ", ", warnings);
  return out;
}

}  // namespace

const char* SeverityName(Severity severity) {
  return severity == Severity::kProblem ? "problem" : "warning";
}

std::vector<CheckFamilyInfo> CheckFamilies() {
  std::vector<CheckFamilyInfo> out;
  for (const CheckFamily& family : kFamilies) out.push_back({family.name, family.looks_at});
  return out;
}

size_t CheckReport::problems() const {
  size_t n = 0;
  for (const CheckFinding& f : findings) n += f.severity == Severity::kProblem ? 1 : 0;
  return n;
}

size_t CheckReport::warnings() const { return findings.size() - problems(); }

Result<QueryResult> CheckContext::Query(const std::string& sql, const std::vector<Value>& params) {
  if (!driver.error_aborts_transaction()) return conn.Query(sql, params);
  RATCHET_RETURN_IF_ERROR(conn.Execute("SAVEPOINT ratchet_check"));
  auto result = conn.Query(sql, params);
  Status undone = conn.Execute(result.ok() ? "RELEASE SAVEPOINT ratchet_check"
                                           : "ROLLBACK TO SAVEPOINT ratchet_check");
  if (!undone.ok()) return undone;
  return result;
}

void CheckContext::Add(Severity severity, const std::string& item, const std::string& where,
                       const std::string& message, std::vector<std::string> details) {
  CheckFinding finding;
  finding.family = family_;
  finding.severity = severity;
  finding.item = item;
  finding.where = where;
  finding.message = message;
  finding.details = std::move(details);
  report_->findings.push_back(std::move(finding));
}

std::string HumanBytes(int64_t bytes) {
  if (bytes < 0) return "size unknown";
  const char* units[] = {"bytes", "kB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes);
  size_t unit = 0;
  while (value >= 1024 && unit + 1 < std::size(units)) {
    value /= 1024;
    ++unit;
  }
  if (unit == 0) return fmt::format("{} bytes", bytes);
  if (value < 10) return fmt::format("{:.1f} {}", value, units[unit]);
  return fmt::format("{:.0f} {}", value, units[unit]);
}

Result<CheckReport> CheckDatabase(Connection& conn, const UpgradeSet& set, const Plan& plan,
                                  const CheckOptions& options) {
  CheckReport report;
  report.database = conn.display_name();
  report.pending = plan.pending.size();
  CheckContext context(conn, set, options, &report);
  context.items = plan.pending;
  std::deque<Item> parsed;
  RATCHET_RETURN_IF_ERROR(ParseDeferredItems(conn.kind(), &context.items, &parsed));
  RATCHET_RETURN_IF_ERROR(AnalysePlan(context));

  RATCHET_RETURN_IF_ERROR(BeginReadOnly(conn, set.project));
  auto schema = context.facts.DefaultSchema(context);
  if (!schema.ok()) {
    EndReadOnly(conn);
    return schema.status();
  }
  context.default_schema = *schema;
  for (const CheckFamily& family : kFamilies) {
    context.set_family(family.name);
    Status s = family.run(context);
    if (!s.ok()) {
      EndReadOnly(conn);
      return s.WithContext(
          fmt::format("{}: the {} checks could not run", conn.display_name(), family.name));
    }
  }
  EndReadOnly(conn);
  return report;
}

std::string FormatFindings(const std::string& title, const std::vector<CheckFamilyInfo>& families,
                           const std::vector<CheckFinding>& findings, const std::string& command) {
  std::string out = title + "\n";
  std::map<std::string, std::pair<size_t, size_t>> counts;
  size_t problems = 0;
  for (const CheckFinding& f : findings) {
    auto& [family_problems, family_warnings] = counts[f.family];
    (f.severity == Severity::kProblem ? family_problems : family_warnings)++;
    problems += f.severity == Severity::kProblem ? 1 : 0;
  }
  for (const CheckFamilyInfo& family : families) {
    auto [family_problems, family_warnings] = counts[family.name];
    out += fmt::format("  {:<20} {}\n", family.name, Counts(family_problems, family_warnings));
  }
  for (const CheckFinding& f : findings) {
    std::string subject = f.item.empty() ? f.where : f.item + " " + f.where;
    out += fmt::format("{:<8} {}{}{}\n", SeverityName(f.severity), subject,
                       subject.empty() ? "" : ": ", f.message);
    for (const std::string& line : f.details) out += "           " + line + "\n";
  }
  out += fmt::format(
      "{}: {}.\n", command,
      findings.empty() ? "no problems found" : Counts(problems, findings.size() - problems));
  return out;
}

std::string FormatCheckReport(const CheckReport& report) {
  return FormatFindings(fmt::format("Checks of {} before upgrading ({} pending item(s)):",
                                    report.database, report.pending),
                        CheckFamilies(), report.findings, "check");
}

}  // namespace ratchet
