// The prepared items, the online path's refusals, and per-item timeouts.
#include "run/online_items.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "ratchet/online.h"

namespace ratchet {
namespace {

std::string Where(const Item& item, const Section& section, size_t offset) {
  int line = 0, column = 0;
  item.LineColumn(section.offset + offset, &line, &column);
  return fmt::format("items/{}:{}:{}", item.file_name, line, column);
}

}  // namespace

Status RefuseUnfitForOnline(const std::vector<const Item*>& pending) {
  std::string problems;
  for (const Item* item : pending) {
    const Section* prepare = item->section(SectionKind::kPrepare);
    const Section* finalize = item->section(SectionKind::kFinalize);
    const Section* rollback = item->section(SectionKind::kRollback);
    if (finalize && !finalize->statements.empty()) {
      if (item->transaction == TransactionMode::kNone) {
        problems += fmt::format(
            "\n  {}: 'transaction none' cannot pivot: finalize runs inside one transaction; "
            "move the statements to the prepare section, or apply the item with "
            "'ratchet upgrade'",
            Where(*item, *finalize, 0));
      }
      for (const Statement& st : finalize->statements) {
        if (!st.non_transactional) continue;
        std::string text = finalize->text.substr(st.offset, std::min<size_t>(st.length, 60));
        problems += fmt::format(
            "\n  {}: '{}' cannot run inside the pivot's transaction; move it to the "
            "prepare section",
            Where(*item, *finalize, st.offset), text);
      }
    }
    if (prepare && !prepare->statements.empty() && !rollback) {
      problems += fmt::format(
          "\n  items/{}: has a prepare section but no rollback section; add "
          "'-- ratchet: rollback' with statements that undo prepare (they must also work when "
          "prepare stopped halfway)",
          item->file_name);
    }
  }
  if (problems.empty()) return Status::Ok();
  return Status(Code::kInvalidSet,
                "these items cannot take the online path (nothing was changed):" + problems);
}

Result<std::vector<const Item*>> PreparedItems(const Connection& conn, const UpgradeSet& set,
                                               const std::vector<AppliedItem>& recorded) {
  std::map<Version, const Item*> by_version;
  for (const Item* item : set.ItemsFor(conn.kind())) by_version[item->version] = item;
  std::vector<const Item*> out;
  std::string problems;
  for (const AppliedItem& a : recorded) {
    if (a.phase != Phase::kPrepared) continue;
    auto it = by_version.find(a.version);
    if (it == by_version.end()) {
      problems += fmt::format("\n  {} {} was prepared but is not in this set", a.version.ToString(),
                              a.description);
      continue;
    }
    if (it->second->checksum != a.checksum) {
      problems += fmt::format("\n  {} items/{} changed since it was prepared", a.version.ToString(),
                              it->second->file_name);
      continue;
    }
    out.push_back(it->second);
  }
  if (!problems.empty()) {
    return Status(Code::kRefused,
                  fmt::format("{}: the prepared items do not match this set:{}\nUse the set "
                              "that prepared them, or undo prepare with 'ratchet rollback'",
                              conn.display_name(), problems));
  }
  return out;
}

Status UseTimeoutsOf(Connection& conn, const UpgradeSet& set, const Item& item) {
  Timeouts t;
  t.lock_timeout = item.lock_timeout.value_or(set.project.lock_timeout);
  t.statement_timeout = item.statement_timeout.value_or(set.project.statement_timeout);
  return conn.SetTimeouts(t);
}

Status CheckFitForOnline(const std::vector<const Item*>& pending) {
  return RefuseUnfitForOnline(pending);
}

}  // namespace ratchet
