// lint: the upgrade set alone, no database. Each rule is a row of the rules
// table, run for each engine the set supports.
#include "ratchet/lint.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

#include "check/check_context.h"
#include "set/project_file.h"

namespace ratchet {
namespace {

namespace fs = std::filesystem;

// Functions whose value differs per row: an ADD COLUMN default calling one
// rewrites the table. Without a database, lint knows these by name.
const std::set<std::string> kVolatileFunctions = {
    "random",  "clock_timestamp",  "timeofday",          "gen_random_uuid",
    "nextval", "uuid_generate_v1", "uuid_generate_v1mc", "uuid_generate_v4",
    "setseed", "txid_current",     "random_normal"};

// Findings of one engine's pass; the same finding from several engines is
// reported once.
class Findings {
 public:
  void Add(EngineKind engine, const char* rule, Severity severity, std::string item,
           std::string where, std::string message, std::vector<std::string> details = {}) {
    std::string key = fmt::format("{}|{}|{}", rule, where, message);
    auto [it, added] = index_.emplace(key, findings_.size());
    if (added) {
      CheckFinding f;
      f.family = rule;
      f.severity = severity;
      f.item = std::move(item);
      f.where = std::move(where);
      f.message = std::move(message);
      f.details = std::move(details);
      findings_.push_back(std::move(f));
      engines_.emplace_back();
    }
    engines_[it->second].insert(engine);
  }

  // The findings in the order of `rules`, those of only some engines
  // marked with them.
  std::vector<CheckFinding> Take(const std::vector<EngineKind>& all,
                                 const std::vector<CheckFamilyInfo>& rules) {
    for (size_t i = 0; i < findings_.size(); ++i) {
      if (engines_[i].size() == all.size()) continue;
      std::string names;
      for (EngineKind e : engines_[i])
        names += (names.empty() ? "" : ", ") + std::string(EngineName(e));
      findings_[i].message += " [" + names + "]";
    }
    auto rank = [&rules](const CheckFinding& f) {
      for (size_t i = 0; i < rules.size(); ++i) {
        if (f.family == rules[i].name) return i;
      }
      return rules.size();
    };
    std::stable_sort(
        findings_.begin(), findings_.end(),
        [&](const CheckFinding& a, const CheckFinding& b) { return rank(a) < rank(b); });
    return std::move(findings_);
  }

 private:
  std::vector<CheckFinding> findings_;
  std::vector<std::set<EngineKind>> engines_;
  std::map<std::string, size_t> index_;
};

// The rules table.
constexpr CheckFamilyInfo kRules[] = {
    {"load", "the set loads and every item parses for each engine"},
    {"version gaps", "versions missing on the main line or on a release line"},
    {"idempotence",
     "statements unsafe to repeat in items that run outside a transaction, and in the rollback "
     "sections that undo their prepare"},
    {"locks and rewrites", "statements that rewrite, scan or index an existing table under a lock"},
    {"empty items", "items that hold no SQL: they run nothing and are recorded applied"},
};

void EmptyItems(const UpgradeSet& set, EngineKind engine, Findings* out) {
  for (const Item* item : set.ItemsFor(engine)) {
    if (!item->no_sql) continue;
    out->Add(engine, "empty items", Severity::kWarning, item->version.ToString(),
             "items/" + item->file_name,
             "the item holds no SQL, only comments: it runs nothing and is recorded applied "
             "(as it should be for a change only another engine needed; if its SQL is still "
             "to be written, write it before any database applies the item)");
  }
}

void VersionGaps(const UpgradeSet& set, EngineKind engine, Findings* out) {
  std::map<uint32_t, std::set<uint32_t>> lines;  // major -> minors
  for (const Item& item : set.items) lines[item.version.major].insert(item.version.minor);
  std::optional<uint32_t> previous;
  for (const auto& [major, minors] : lines) {
    if (previous && major > *previous + 1) {
      std::string missing = major == *previous + 2
                                ? fmt::format("V{}", *previous + 1)
                                : fmt::format("V{} to V{}", *previous + 1, major - 1);
      out->Add(engine, "version gaps", Severity::kWarning, "", "items/",
               fmt::format("{} missing between V{} and V{}: if an item was deleted, databases "
                           "that applied it now hold a version this set does not know; a "
                           "version is never reused",
                           missing + (major == *previous + 2 ? " is" : " are"), *previous, major));
    }
    previous = major;
    uint32_t expected = 1;
    for (uint32_t minor : minors) {
      if (minor == 0) continue;
      for (; expected < minor; ++expected) {
        out->Add(engine, "version gaps", Severity::kWarning, "", "items/",
                 fmt::format("V{}.{} is missing on the release line of V{} (before V{}.{})", major,
                             expected, major, major, minor));
      }
      expected = minor + 1;
    }
  }
}

bool RunsOutsideTransaction(const Item& item, SectionKind kind) {
  if (item.transaction == TransactionMode::kNone) return true;
  const Section* section = item.section(kind);
  return section != nullptr && section->non_transactional;
}

Status Idempotence(const UpgradeSet& set, EngineKind engine, Findings* out) {
  for (const Item* item : set.ItemsFor(engine)) {
    bool prepare_outside = RunsOutsideTransaction(*item, SectionKind::kPrepare);
    for (const Section& section : item->sections) {
      bool must_repeat =
          section.kind == SectionKind::kRollback
              ? prepare_outside
              : section.kind != SectionKind::kCheck && RunsOutsideTransaction(*item, section.kind);
      if (!must_repeat) continue;
      auto effects = AnalyseSection(engine, section.text);
      if (!effects.ok()) return effects.status();
      const char* why = section.kind == SectionKind::kRollback
                            ? "a rollback section must work on a partly prepared database, so "
                              "each statement must be safe to repeat"
                            : "the item runs outside a transaction, statement by statement, "
                              "and the statement a crash or a failure interrupts is run again "
                              "on resume, so each statement must be safe to repeat";
      std::set<std::string> dropped;  // earlier in this section
      for (const StatementEffects& statement : *effects) {
        for (const StatementEffects::Repeat& repeat : statement.not_idempotent) {
          if (!repeat.object_key.empty() && dropped.count(repeat.object_key)) continue;
          out->Add(engine, "idempotence", Severity::kProblem, item->version.ToString(),
                   item->Position(section.offset + statement.offset), repeat.reason, {why});
        }
        for (const ObjectName& removed : statement.removes) dropped.insert(removed.Key());
      }
    }
  }
  return Status::Ok();
}

Status LocksAndRewrites(const UpgradeSet& set, EngineKind engine, Findings* out) {
  EffectsWalk walk;
  // Column types as the set's own earlier statements left them, so that a
  // type change known to be binary-coercible is no warning.
  std::map<std::string, std::string> column_types;
  for (const Item* item : set.ItemsFor(engine)) {
    walk.NewItem();
    for (SectionKind kind : {SectionKind::kPrepare, SectionKind::kFinalize}) {
      const Section* section = item->section(kind);
      if (section == nullptr) continue;
      auto effects = AnalyseSection(engine, section->text);
      if (!effects.ok()) return effects.status();
      for (const StatementEffects& statement : *effects) {
        std::map<std::string, std::string> before = column_types;
        for (const auto& [key, type] : statement.column_types) column_types[key] = type;
        for (const TableWork& work : walk.Next(statement)) {
          if (!work.type_column.empty() && !work.has_using) {
            ObjectName column{ObjectName::Space::kColumn, "column",   work.schema,
                              work.type_column,           work.table, ""};
            auto known = before.find(column.Key());
            if (known != before.end() &&
                DriverFor(engine).BinaryCoercible(known->second, work.new_type)) {
              continue;
            }
          }
          if (!work.default_functions.empty() &&
              std::none_of(work.default_functions.begin(), work.default_functions.end(),
                           [](const std::string& f) { return kVolatileFunctions.count(f) > 0; })) {
            continue;  // a stable default is computed once: no rewrite
          }
          std::vector<std::string> details;
          if (!work.type_column.empty()) {
            details.push_back(
                "unless the new type is binary-coercible (varchar(n) to varchar(m > n) or text, "
                "numeric(p,s) to numeric(q > p,s)); 'ratchet check' asks the database");
          }
          std::string advice = WorkAdvice(work);
          if (!advice.empty()) details.push_back(advice);
          out->Add(engine, "locks and rewrites", Severity::kWarning, item->version.ToString(),
                   item->Position(section->offset + statement.offset), DescribeWork(work, ""),
                   details);
        }
      }
    }
  }
  return Status::Ok();
}

}  // namespace

size_t LintReport::problems() const {
  size_t n = 0;
  for (const CheckFinding& f : findings) n += f.severity == Severity::kProblem ? 1 : 0;
  return n;
}

size_t LintReport::warnings() const { return findings.size() - problems(); }

std::vector<CheckFamilyInfo> LintRules() { return {std::begin(kRules), std::end(kRules)}; }

Result<LintReport> LintUpgradeSet(const fs::path& dir, const LintOptions& options) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return Status(Code::kIo, fmt::format("{} is not a directory: pass --set with the directory "
                                         "that holds ratchet.toml and items/",
                                         dir.string()));
  }
  LintReport report;
  report.set = dir.string();
  report.engines = options.engines;
  Findings findings;
  auto plain = LoadUpgradeSet(dir);
  if (report.engines.empty()) {
    if (plain.ok()) {
      for (const std::string& name : plain->project.engines) {
        if (auto engine = EngineNamed(name)) report.engines.push_back(*engine);
      }
    }
    if (report.engines.empty()) report.engines = AllEngines();
  }
  if (!plain.ok()) {
    // The project and its engines are named even when an item is broken.
    Project project;
    std::vector<int> release_lines;
    if (ReadProjectFile(dir / "ratchet.toml", &project, &release_lines).ok()) {
      if (!project.name.empty()) report.set = project.name;
      if (options.engines.empty() && !project.engines.empty()) {
        report.engines.clear();
        for (const std::string& name : project.engines) {
          if (auto engine = EngineNamed(name)) report.engines.push_back(*engine);
        }
      }
    }
    for (EngineKind engine : report.engines) {
      findings.Add(engine, "load", Severity::kProblem, "", "", plain.status().message());
    }
    report.findings = findings.Take(report.engines, LintRules());
    return report;
  }
  if (!plain->project.name.empty()) report.set = plain->project.name;
  for (EngineKind engine : report.engines) {
    VersionGaps(*plain, engine, &findings);
    LoadOptions load;
    load.parse_for = engine;
    auto set = LoadUpgradeSet(dir, load);
    if (!set.ok()) {
      findings.Add(engine, "load", Severity::kProblem, "", "", set.status().message());
      continue;
    }
    RATCHET_RETURN_IF_ERROR(Idempotence(*set, engine, &findings));
    RATCHET_RETURN_IF_ERROR(LocksAndRewrites(*set, engine, &findings));
    EmptyItems(*set, engine, &findings);
  }
  report.findings = findings.Take(report.engines, LintRules());
  return report;
}

std::string FormatLintReport(const LintReport& report) {
  std::string engines;
  for (EngineKind e : report.engines)
    engines += (engines.empty() ? "" : ", ") + std::string(EngineName(e));
  return FormatFindings(fmt::format("Lint of {} for {}:", report.set, engines), LintRules(),
                        report.findings, "lint");
}

}  // namespace ratchet
