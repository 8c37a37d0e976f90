// The name conflicts family: objects the pending items will create whose
// names are taken when their statement runs, judged on a simulation of the
// catalog in plan order, so that what an earlier statement drops (with all
// that goes with it) or renames away is no conflict, and what ratchet
// cannot see is a warning, never a problem.
#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "check/catalog_simulation.h"
#include "check/check_context.h"

namespace ratchet {
namespace {

using Space = ObjectName::Space;

// The schema filled in, so that one object has one key.
ObjectName Normal(const CheckContext& c, ObjectName name) {
  if (name.space != Space::kSchema && name.space != Space::kExtension && !name.name.empty()) {
    name.schema = c.SchemaOf(name.schema);
  }
  return name;
}

CatalogChange Normal(const CheckContext& c, CatalogChange change) {
  change.object = Normal(c, change.object);
  change.creation.object = Normal(c, change.creation.object);
  change.creation.owner = Normal(c, change.creation.owner);
  for (ObjectName& reference : change.creation.references) reference = Normal(c, reference);
  return change;
}

// Loads into `sim` every object of the database whose name a pending
// statement takes, with what would drop it.
Status LoadExisting(CheckContext& c, CatalogSimulation* sim) {
  std::vector<ObjectName> objects;
  std::set<std::string> keys;
  for (const PlannedStatement& s : c.statements) {
    for (const CatalogChange& change : s.effects.changes) {
      if (change.kind != CatalogChange::Kind::kCreate &&
          change.kind != CatalogChange::Kind::kRename) {
        continue;
      }
      ObjectName object = Normal(c, change.creation.object);
      if (keys.insert(object.Key()).second) objects.push_back(object);
    }
  }
  std::map<std::string, std::string> taken;
  RATCHET_RETURN_IF_ERROR(c.facts.FindTaken(c, objects, &taken));
  for (const ObjectName& object : objects) {
    ObjectName probed = object;  // as FindTaken keys what it finds
    probed.schema = c.SchemaOf(probed.schema);
    auto it = taken.find(probed.Key());
    if (it == taken.end()) continue;
    auto ancestors = c.facts.DroppedAlongWith(c, object);
    if (!ancestors.ok()) return ancestors.status();
    std::vector<CatalogSimulation::Ancestor> normal = *ancestors;
    for (CatalogSimulation::Ancestor& a : normal) a.object = Normal(c, a.object);
    sim->AddExisting(object, it->second, normal);
  }
  return Status::Ok();
}

// Reports what creating `creation` at statement `s` runs into.
void Judge(CheckContext& c, const PlannedStatement& s, const Creation& creation,
           const CatalogSimulation::Lookup& found) {
  const ObjectName& object = creation.object;
  const std::string version = s.item->version.ToString();
  bool tolerant = creation.if_not_exists || creation.or_replace;
  if (found.state == CatalogSimulation::State::kFree) return;
  if (found.state == CatalogSimulation::State::kMaybe) {
    if (tolerant) return;
    c.Add(Severity::kWarning, version, s.Where(),
          fmt::format("{} may exist when this statement runs, and then the statement fails: {}, "
                      "which ratchet cannot see into. Make sure it does not, or create the object "
                      "with IF NOT EXISTS (or OR REPLACE) here",
                      object.Describe(), found.doubt));
    return;
  }
  if (!found.existing) {
    if (tolerant) return;
    c.Add(Severity::kProblem, version, s.Where(),
          fmt::format("{} is created twice in this upgrade: {} creates it already, so this "
                      "statement would fail",
                      object.Describe(), found.holder));
    return;
  }
  if (creation.or_replace) return;
  if (creation.if_not_exists) {
    c.Add(Severity::kWarning, version, s.Where(),
          fmt::format("{} exists already: IF NOT EXISTS keeps the existing one, whose "
                      "definition may differ from the item's",
                      object.Describe()));
    return;
  }
  c.Add(Severity::kProblem, version, s.Where(),
        fmt::format("{} cannot be created: {} of that name exists already. Rename or drop "
                    "the existing one; or, if it is this item's own work done by hand, "
                    "record the item with 'ratchet baseline'",
                    object.Describe(), found.holder));
}

}  // namespace

Status CheckNameConflicts(CheckContext& c) {
  CatalogSimulation sim;
  RATCHET_RETURN_IF_ERROR(LoadExisting(c, &sim));
  std::set<std::string> called;
  for (const PlannedStatement& s : c.statements) {
    for (const CatalogChange& change : s.effects.changes) {
      if (change.kind == CatalogChange::Kind::kCall) called.insert(change.object.name);
    }
  }
  auto found = c.facts.Routines(c, called);
  if (!found.ok()) return found.status();
  std::map<std::string, Touches> routines = std::move(*found);
  // In plan order, each change as it takes effect: a name is judged
  // against what every earlier statement, and earlier change of the same
  // statement, made of the catalog.
  for (const PlannedStatement& s : c.statements) {
    const std::string origin = fmt::format("{} ({})", s.item->version.ToString(), s.Where());
    for (const CatalogChange& raw : s.effects.changes) {
      CatalogChange change = Normal(c, raw);
      if (change.kind == CatalogChange::Kind::kCall) {
        Touches body;
        if (!sim.RoutineBody(change.object, &body)) {
          auto it = routines.find(change.object.name);
          if (it == routines.end()) continue;  // built in, or not there: creates nothing
          body = it->second;
        }
        sim.Doubt(body, change.reason, origin);
        continue;
      }
      if ((change.kind == CatalogChange::Kind::kCreate && !change.creation.implicit) ||
          change.kind == CatalogChange::Kind::kRename) {
        Judge(c, s, change.creation, sim.Find(change.creation.object));
      }
      sim.Apply(change, origin);
    }
  }
  return Status::Ok();
}

}  // namespace ratchet
