// The privileges family: what the connected role lacks to record the run,
// to create and change what the pending items name, and, as warnings, what
// the online freeze and copy-upgrade would need.
#include <fmt/format.h>

#include <set>

#include "check/check_context.h"
#include "engine/engine_driver.h"
#include "sql/sql_text.h"

namespace ratchet {
namespace {

// The bookkeeping: its schema, or the right to create it, and the right to
// write its tables or to create them.
Status CheckBookkeeping(CheckContext& context, const std::string& me) {
  auto refusal = context.facts.BookkeepingRefusal(context, me, context.set.project.history_schema);
  if (!refusal.ok()) return refusal.status();
  if (!refusal->empty()) context.Add(Severity::kProblem, "", "", *refusal);
  return Status::Ok();
}

// The schemas the pending items create objects in, and the existing tables
// they change, which need CREATE and ownership. A name an earlier pending
// statement creates, drops or renames is left out: who will own it then is
// not known from here.
Status CheckObjects(CheckContext& context, const std::string& me) {
  std::set<std::string> touched_before;  // keys of objects earlier statements made or removed
  std::set<std::string> reported;
  for (const PlannedStatement& s : context.statements) {
    std::vector<std::pair<std::string, std::string>> tables;  // schema, table to own
    std::set<std::string> schemas;                            // to create in
    for (const Creation& c : s.effects.creates) {
      if (c.implicit) continue;
      const ObjectName& o = c.object;
      if (o.space == ObjectName::Space::kSchema || o.space == ObjectName::Space::kExtension) {
        continue;
      }
      if (!o.table.empty()) {
        tables.emplace_back(o.schema, o.table);
      } else {
        schemas.insert(context.SchemaOf(o.schema));
      }
    }
    for (const ObjectName& o : s.effects.removes) {
      tables.emplace_back(o.schema, o.table.empty() ? o.name : o.table);
    }
    for (const TableWork& w : s.effects.work) tables.emplace_back(w.schema, w.table);

    for (const std::string& schema : schemas) {
      if (touched_before.count("schema|" + schema) || !reported.insert("c|" + schema).second) {
        continue;
      }
      auto may = context.facts.MayCreateIn(context, schema);
      if (!may.ok()) return may.status();
      if (!*may) {
        context.Add(Severity::kProblem, s.item->version.ToString(), s.Where(),
                    fmt::format("role {} may not create objects in schema {}: GRANT CREATE ON "
                                "SCHEMA {} TO {}",
                                me, schema, QuoteNameIfNeeded(schema), QuoteNameIfNeeded(me)));
      }
    }
    for (const auto& [schema_name, table] : tables) {
      const std::string schema = context.SchemaOf(schema_name);
      const std::string key = "relation|" + schema + "|" + table;
      if (table.empty() || touched_before.count(key) || !reported.insert("o|" + key).second) {
        continue;
      }
      auto foreign = context.facts.OwnerIfNotMine(context, schema, table);
      if (!foreign.ok()) return foreign.status();
      if (!*foreign) continue;
      const std::string& owner = (*foreign)->owner;
      context.Add(Severity::kProblem, s.item->version.ToString(), s.Where(),
                  fmt::format("role {} does not own {} {}.{}, which this statement changes "
                              "(its owner is {}): run as {}, or GRANT {} TO {}",
                              me, (*foreign)->kind, schema, table, owner, owner,
                              QuoteNameIfNeeded(owner), QuoteNameIfNeeded(me)));
    }
    // What this statement makes or removes is not judged for later ones.
    for (const Creation& c : s.effects.creates) {
      touched_before.insert(c.object.space == ObjectName::Space::kSchema
                                ? "schema|" + c.object.name
                                : "relation|" + context.SchemaOf(c.object.schema) + "|" +
                                      c.object.name);
    }
    for (const ObjectName& o : s.effects.removes) {
      touched_before.insert("relation|" + context.SchemaOf(o.schema) + "|" + o.name);
    }
    for (const CatalogChange& change : s.effects.changes) {
      if (change.kind == CatalogChange::Kind::kUncertain ||
          change.kind == CatalogChange::Kind::kCall) {
        return Status::Ok();  // a DO block may create or hand over anything after it
      }
    }
  }
  return Status::Ok();
}

}  // namespace

Status CheckPrivileges(CheckContext& context) {
  auto role = context.facts.Role(context);
  if (!role.ok()) return role.status();
  if (!*role) return Status::Ok();  // no roles: the file's mode decides, checked at open
  const std::string me = (*role)->name;
  if ((*role)->superuser) return Status::Ok();
  RATCHET_RETURN_IF_ERROR(CheckBookkeeping(context, me));
  RATCHET_RETURN_IF_ERROR(CheckObjects(context, me));

  // What only some commands need: warnings, and only for the check command.
  if (!context.options.command_privileges) return Status::Ok();
  bool online = false;
  for (const Item* item : context.items) online = online || item->section(SectionKind::kPrepare);
  if (online && context.driver.ddl_freeze() != nullptr) {
    context.Add(Severity::kWarning, "", "",
                fmt::format("'ratchet prepare --freeze' needs a superuser (only superusers "
                            "create event triggers); role {} is not one, so prepare only "
                            "without --freeze",
                            me));
  }
  auto copy = DriverFor(context.conn.kind()).MissingCopyPrivileges(context.conn);
  if (!copy.ok()) return copy.status();
  if (!copy->empty()) {
    context.Add(Severity::kWarning, "", "",
                fmt::format("'ratchet copy-upgrade' would be refused: role {} lacks {} "
                            "privilege(s) it needs",
                            me, copy->size()),
                *copy);
  }
  return Status::Ok();
}

}  // namespace ratchet
