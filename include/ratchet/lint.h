// Linting an upgrade set on its own, with no database: what would go wrong
// in the field, found while the items can still be changed.
#ifndef RATCHET_LINT_H_
#define RATCHET_LINT_H_

#include <filesystem>
#include <string>
#include <vector>

#include "ratchet/check.h"
#include "ratchet/engine.h"
#include "ratchet/status.h"

namespace ratchet {

struct LintOptions {
  // The engines to lint for; empty: the engines ratchet.toml lists, or both.
  std::vector<EngineKind> engines;
};

struct LintReport {
  std::string set;                  // the project name, or the directory
  std::vector<EngineKind> engines;  // the engines linted for
  // family is the rule: "load", "version gaps", "idempotence",
  // "locks and rewrites". A problem makes lint exit 3.
  std::vector<CheckFinding> findings;

  size_t problems() const;
  size_t warnings() const;
};

// The rules, in the order they run, with what each looks at.
std::vector<CheckFamilyInfo> LintRules();

// Lints the set in `dir` for each engine:
//   load                the set loads and every item parses (the first error
//                       per engine; a set that does not load is linted no
//                       further for that engine);
//   version gaps        a missing version on the main line (V1, V2, V4) or on
//                       a release line (V2.1, V2.3): a deleted item, whose
//                       version databases may have applied;
//   idempotence         statements that fail or repeat their work when run
//                       twice, in items that run outside a transaction (re-run
//                       from the top after a crash) and in the rollback
//                       sections that undo their prepare;
//   locks and rewrites  statements that rewrite, scan or index an existing
//                       table under a lock that blocks writers (warnings).
// Never connects to a database. Returns a non-OK Status only when the set
// directory cannot be read at all.
Result<LintReport> LintUpgradeSet(const std::filesystem::path& dir,
                                  const LintOptions& options = {});

// The report as an operator reads it, in the form of FormatCheckReport.
std::string FormatLintReport(const LintReport& report);

}  // namespace ratchet

#endif  // RATCHET_LINT_H_
