// Judging statements against what the statements before them did, and
// describing the work that blocks a table's writers, for check and lint.
#ifndef RATCHET_SRC_CHECK_EFFECTS_WALK_H_
#define RATCHET_SRC_CHECK_EFFECTS_WALK_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/statement_effects.h"

namespace ratchet {

// "ALTER COLUMN status TYPE varchar(20) rewrites orders holding an ACCESS
// EXCLUSIVE lock: its reads and writes wait until it is done", with the
// table's size after its name when `size` is not empty.
std::string DescribeWork(const TableWork& work, const std::string& size);

// How to avoid the lock, or "" when there is no simple way.
std::string WorkAdvice(const TableWork& work);

// Walks statements in the order they will run and keeps what earlier ones
// did, so that later ones are judged against the schema as it will be:
// work on a table an earlier statement created is no concern (it is new and
// small), and SET NOT NULL after a validated CHECK (column IS NOT NULL) on
// it only reads the catalog.
class EffectsWalk {
 public:
  // Feeds the next statement; returns the work of it that still matters.
  std::vector<TableWork> Next(const StatementEffects& statement);

  // True if a statement fed so far created `object` (and nothing since
  // removed it), or created or removed the table it belongs to.
  bool CreatedEarlier(const ObjectName& object) const;
  bool RemovedEarlier(const ObjectName& object) const;
  bool TableIsNew(const std::string& schema, const std::string& table) const;

  // Forgets what was created and removed, keeping the NOT NULL proofs:
  // lint judges each item against a database that has everything earlier
  // items made, with data in it.
  void NewItem();

 private:
  std::set<std::string> created_;
  std::set<std::string> removed_;
  std::set<std::string> proven_not_null_;                // "schema|table|column"
  std::map<std::string, std::string> not_valid_proofs_;  // constraint name -> "schema|table|column"
};

}  // namespace ratchet

#endif  // RATCHET_SRC_CHECK_EFFECTS_WALK_H_
