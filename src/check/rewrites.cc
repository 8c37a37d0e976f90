// The rewrites and locks family: work on existing tables that holds a lock
// blocking their writers (rewrites, full scans, index builds), with each
// table's size and the free disk room a rewrite needs where it can be known.
#include <fmt/format.h>
#include <sys/statvfs.h>

#include "check/check_context.h"

namespace ratchet {
namespace {

// Free bytes on the file system holding `path`, or -1.
int64_t FreeBytes(const std::string& path) {
  struct statvfs fs_info {};
  if (path.empty() || statvfs(path.c_str(), &fs_info) != 0) return -1;
  return static_cast<int64_t>(fs_info.f_bavail) * static_cast<int64_t>(fs_info.f_frsize);
}

}  // namespace

Status CheckRewritesAndLocks(CheckContext& c) {
  EffectsWalk walk;
  for (const PlannedStatement& s : c.statements) {
    for (const TableWork& work : walk.Next(s.effects)) {
      auto facts = c.facts.Table(c, work);
      if (!facts.ok()) return facts.status();
      if (!facts->has_value()) continue;  // not there yet: new, or the statement fails anyway
      const TableFacts& table = **facts;
      auto avoided = c.facts.AvoidsWork(c, work, table);
      if (!avoided.ok()) return avoided.status();
      if (*avoided) continue;
      if (table.bytes >= 0 && table.bytes < c.options.min_table_bytes) continue;

      std::string message = DescribeWork(work, HumanBytes(table.bytes));
      std::vector<std::string> details;
      Severity severity = Severity::kWarning;
      if (work.kind == TableWork::Kind::kRewrite && table.bytes >= 0) {
        // The new copy is written before the old one goes; SQLite's journal
        // keeps the old pages, and VACUUM builds a whole copy besides.
        int64_t needed = work.whole_database ? 2 * table.bytes : table.bytes;
        auto path = c.facts.DataPath(c, table);
        if (!path.ok()) return path.status();
        int64_t free = FreeBytes(*path);
        if (free < 0) {
          details.push_back(
              fmt::format("needs about {} of free disk on the server (the free "
                          "room cannot be seen from here)",
                          HumanBytes(needed)));
        } else if (needed > free) {
          severity = Severity::kProblem;
          details.push_back(
              fmt::format("needs about {} of free disk, and {} has only {}: "
                          "make room first",
                          HumanBytes(needed), *path, HumanBytes(free)));
        } else {
          details.push_back(fmt::format("needs about {} of free disk; {} has {}",
                                        HumanBytes(needed), *path, HumanBytes(free)));
        }
      }
      std::string advice = WorkAdvice(work);
      if (!advice.empty()) details.push_back(advice);
      c.Add(severity, s.item->version.ToString(), s.Where(), message, details);
    }
  }
  return Status::Ok();
}

}  // namespace ratchet
