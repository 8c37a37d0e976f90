// The walk that judges each statement against what the statements before
// it did, and the words for work that blocks a table's writers.
#include "check/effects_walk.h"

#include <fmt/format.h>

namespace ratchet {
namespace {

std::string TableKey(const std::string& schema, const std::string& table) {
  ObjectName name;
  name.space = ObjectName::Space::kRelation;
  name.schema = schema;
  name.name = table;
  return name.Key();
}

}  // namespace

std::string DescribeWork(const TableWork& work, const std::string& size) {
  std::string what = work.whole_database   ? "the whole database"
                     : work.schema.empty() ? work.table
                                           : work.schema + "." + work.table;
  if (!size.empty()) what += " (" + size + ")";
  const char* verb = work.kind == TableWork::Kind::kRewrite ? "rewrites"
                     : work.kind == TableWork::Kind::kScan  ? "reads every row of"
                                                            : "builds an index on";
  std::string lock;
  if (work.lock == "ACCESS EXCLUSIVE") {
    lock = "an ACCESS EXCLUSIVE lock: its reads and writes wait until it is done";
  } else if (work.lock.rfind("SHARE", 0) == 0) {
    lock = fmt::format("a {} lock: writes to it wait until it is done", work.lock);
  } else {
    lock = work.lock + ": every writer waits until it is done";
  }
  return fmt::format("{} {} {} holding {}", work.reason, verb, what, lock);
}

std::string WorkAdvice(const TableWork& work) {
  if (!work.not_null_column.empty()) {
    return fmt::format(
        "to avoid the scan: ADD CONSTRAINT ... CHECK ({} IS NOT NULL) NOT VALID "
        "and VALIDATE it in an earlier item; SET NOT NULL then skips the scan",
        work.not_null_column);
  }
  if (work.kind == TableWork::Kind::kScan) {
    return "to avoid the scan under the lock: add the constraint NOT VALID, then VALIDATE "
           "CONSTRAINT in a later item (validating does not block writers)";
  }
  if (!work.advice.empty()) return work.advice;
  if (!work.default_functions.empty()) {
    return "add the column without a default, set the default, and backfill in batches";
  }
  return "";
}

std::vector<TableWork> EffectsWalk::Next(const StatementEffects& statement) {
  std::vector<TableWork> out;
  for (const TableWork& work : statement.work) {
    if (!work.whole_database && TableIsNew(work.schema, work.table)) continue;
    if (!work.not_null_column.empty() &&
        proven_not_null_.count(
            fmt::format("{}|{}|{}", SchemaKey(work.schema), work.table, work.not_null_column))) {
      continue;
    }
    out.push_back(work);
  }
  for (const ObjectName& removed : statement.removes) {
    created_.erase(removed.Key());
    removed_.insert(removed.Key());
  }
  for (const Creation& created : statement.creates) created_.insert(created.object.Key());
  for (const StatementEffects::NotNullProof& proof : statement.not_null_proofs) {
    std::string column =
        fmt::format("{}|{}|{}", SchemaKey(proof.schema), proof.table, proof.column);
    if (proof.not_valid) {
      not_valid_proofs_[proof.constraint] = column;
    } else {
      proven_not_null_.insert(column);
    }
  }
  for (const std::string& name : statement.validates) {
    auto it = not_valid_proofs_.find(name);
    if (it != not_valid_proofs_.end()) proven_not_null_.insert(it->second);
  }
  return out;
}

void EffectsWalk::NewItem() {
  created_.clear();
  removed_.clear();
}

bool EffectsWalk::CreatedEarlier(const ObjectName& object) const {
  return created_.count(object.Key()) > 0;
}

bool EffectsWalk::RemovedEarlier(const ObjectName& object) const {
  return removed_.count(object.Key()) > 0;
}

bool EffectsWalk::TableIsNew(const std::string& schema, const std::string& table) const {
  return created_.count(TableKey(schema, table)) > 0 || removed_.count(TableKey(schema, table)) > 0;
}

}  // namespace ratchet
