// The catalog simulation behind name conflicts: nodes for the objects that
// matter, what drops take along with them, renames, and the doubt that DO
// blocks, dynamic SQL and unreadable CASCADEs leave behind.
#include "check/catalog_simulation.h"

#include <fmt/format.h>

#include <algorithm>

#include "sql/sql_text.h"

namespace ratchet {
namespace {

using Space = ObjectName::Space;

bool IsMember(Space space) {
  return space == Space::kColumn || space == Space::kConstraint || space == Space::kTrigger;
}

ObjectName TableOf(const ObjectName& member) {
  ObjectName table;
  table.space = Space::kRelation;
  table.what = "table";
  table.schema = member.schema;
  table.name = member.table;
  return table;
}

bool Contains(const std::vector<int>& list, int value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string RoutineKey(const ObjectName& function) { return function.schema + "|" + function.name; }

}  // namespace

int CatalogSimulation::Make(const ObjectName& name) {
  Node node;
  node.name = name;
  node.settled = clock_;
  nodes_.push_back(std::move(node));
  Bind(static_cast<int>(nodes_.size()) - 1);
  return static_cast<int>(nodes_.size()) - 1;
}

void CatalogSimulation::Bind(int node) { by_key_[nodes_[node].name.Key()] = node; }

int CatalogSimulation::NodeFor(const ObjectName& name) {
  auto it = by_key_.find(name.Key());
  if (it != by_key_.end()) return it->second;
  int node = Make(name);
  nodes_[node].assumed = true;
  return node;
}

void CatalogSimulation::AddExisting(const ObjectName& object, const std::string& holder,
                                    const std::vector<Ancestor>& ancestors) {
  int node = NodeFor(object);
  nodes_[node].assumed = false;
  nodes_[node].existing = true;
  nodes_[node].holder = holder;
  nodes_[node].settled = -1;
  std::vector<Ancestor> all = ancestors;
  if (IsMember(object.space) && !object.table.empty()) all.push_back({TableOf(object), false});
  for (const Ancestor& ancestor : all) {
    if (ancestor.object.Key() == object.Key()) continue;
    int other = NodeFor(ancestor.object);
    if (nodes_[other].assumed) {
      nodes_[other].assumed = false;
      nodes_[other].existing = true;
      nodes_[other].settled = -1;
    }
    (ancestor.cascade ? nodes_[node].references : nodes_[node].owners).push_back(other);
  }
}

bool CatalogSimulation::Touched(const Node& node, const Touches& touches) const {
  if (touches.all) return true;
  auto named = [&](const ObjectName& n) {
    return touches.words.count(AsciiLower(n.name)) > 0 ||
           (!n.table.empty() && touches.words.count(AsciiLower(n.table)) > 0) ||
           (!n.schema.empty() && touches.words.count(AsciiLower(n.schema)) > 0);
  };
  if (named(node.name)) return true;
  for (const std::vector<int>* list : {&node.owners, &node.references}) {
    for (int other : *list) {
      if (named(nodes_[other].name)) return true;
    }
  }
  return false;
}

const CatalogSimulation::DoubtEvent* CatalogSimulation::DoubtSince(int at, const Node* node,
                                                                   const ObjectName& name) const {
  for (const DoubtEvent& event : doubts_) {
    if (event.at <= at) continue;
    // What exists may have been dropped by anything; what does not is only
    // suspected of being created where a body names it.
    if (node != nullptr ? Touched(*node, event.touches)
                        : event.touches.words.count(AsciiLower(name.name)) > 0) {
      return &event;
    }
  }
  return nullptr;
}

CatalogSimulation::Lookup CatalogSimulation::Find(const ObjectName& object) const {
  Lookup out;
  std::string key = object.Key();
  auto it = by_key_.find(key);
  if (it != by_key_.end() && !nodes_[it->second].assumed) {
    const Node& node = nodes_[it->second];
    out.existing = node.existing;
    out.holder = node.holder;
    out.state = State::kTaken;
    std::string why = node.doubt;
    if (why.empty()) {
      if (const DoubtEvent* event = DoubtSince(node.settled, &node, object)) {
        why = event->why;
      }
    }
    if (!why.empty()) {
      out.state = State::kMaybe;
      out.doubt = fmt::format("{} {}, and {} may or may not drop it", node.holder,
                              node.existing ? "of that name exists" : "creates it", why);
    }
    return out;
  }
  auto settled = settled_at_.find(key);
  if (const DoubtEvent* event =
          DoubtSince(settled == settled_at_.end() ? -1 : settled->second, nullptr, object)) {
    out.state = State::kMaybe;
    out.doubt = event->why + " names it and may create it";
  }
  return out;
}

void CatalogSimulation::Remove(int node, bool cascade) {
  if (!nodes_[node].present) return;
  nodes_[node].present = false;
  std::string key = nodes_[node].name.Key();
  auto it = by_key_.find(key);
  if (it != by_key_.end() && it->second == node) by_key_.erase(it);
  settled_at_[key] = clock_;
  const bool schema = nodes_[node].name.space == Space::kSchema;
  for (size_t m = 0; m < nodes_.size(); ++m) {
    const Node& other = nodes_[m];
    if (!other.present) continue;
    if (Contains(other.owners, node) || (cascade && Contains(other.references, node)) ||
        (cascade && schema && other.name.space != Space::kSchema &&
         other.name.space != Space::kExtension && other.name.schema == nodes_[node].name.name)) {
      Remove(static_cast<int>(m), cascade);
    }
  }
}

void CatalogSimulation::Rename(int node, const ObjectName& to) {
  const ObjectName from = nodes_[node].name;
  auto it = by_key_.find(from.Key());
  if (it != by_key_.end() && it->second == node) by_key_.erase(it);
  settled_at_[from.Key()] = clock_;
  ObjectName renamed = to;
  if (renamed.what.empty()) renamed.what = from.what;
  nodes_[node].name = renamed;
  nodes_[node].assumed = false;
  nodes_[node].settled = clock_;
  Bind(node);
  auto rekey = [&](size_t m, const ObjectName& name) {
    auto at = by_key_.find(nodes_[m].name.Key());
    if (at != by_key_.end() && at->second == static_cast<int>(m)) by_key_.erase(at);
    nodes_[m].name = name;
    Bind(static_cast<int>(m));
  };
  for (size_t m = 0; m < nodes_.size(); ++m) {
    if (!nodes_[m].present || static_cast<int>(m) == node) continue;
    ObjectName name = nodes_[m].name;
    if (from.space == Space::kSchema) {
      if (name.space == Space::kSchema || name.schema != from.name) continue;
      name.schema = to.name;
      rekey(m, name);
    } else if (from.space == Space::kRelation && Contains(nodes_[m].owners, node)) {
      if (name.space == Space::kType && name.name == from.name) {
        name.name = to.name;  // a table's row type is renamed with it
        rekey(m, name);
      } else if (IsMember(name.space) && name.table == from.name) {
        name.table = to.name;
        rekey(m, name);
      }
    }
  }
  // An index and the constraint it backs share their name: renaming one
  // renames the other.
  for (size_t m = 0; m < nodes_.size(); ++m) {
    if (!nodes_[m].present || static_cast<int>(m) == node) continue;
    const ObjectName& name = nodes_[m].name;
    bool partner = false;
    if (from.space == Space::kConstraint && name.space == Space::kRelation &&
        name.name == from.name && name.schema == from.schema) {
      for (int owner : nodes_[m].owners) partner |= nodes_[owner].name.name == from.table;
    } else if (from.space == Space::kRelation && name.space == Space::kConstraint &&
               name.name == from.name && name.schema == from.schema) {
      for (int owner : nodes_[node].owners) partner |= nodes_[owner].name.name == name.table;
    }
    if (partner) {
      ObjectName other = name;
      other.name = to.name;
      Rename(static_cast<int>(m), other);
      return;
    }
  }
}

void CatalogSimulation::MarkMaybe(const std::string& why, int table, bool cascade) {
  for (Node& node : nodes_) {
    if (!node.present || node.assumed || node.name.space == Space::kSchema) continue;
    if (table >= 0) {
      // A column takes along the indexes and constraints on it and, with
      // CASCADE, what reads it.
      bool on_column = Contains(node.owners, table) && (node.name.space == Space::kRelation ||
                                                        node.name.space == Space::kConstraint);
      if (!on_column && !(cascade && Contains(node.references, table))) continue;
    }
    if (node.doubt.empty()) node.doubt = why;
  }
}

void CatalogSimulation::Doubt(const Touches& touches, const std::string& reason,
                              const std::string& origin) {
  ++clock_;
  doubts_.push_back({clock_, touches, reason + " at " + origin});
}

bool CatalogSimulation::RoutineBody(const ObjectName& function, Touches* body) const {
  auto it = routines_.find(RoutineKey(function));
  if (it == routines_.end()) return false;
  *body = it->second;
  return true;
}

void CatalogSimulation::Apply(const CatalogChange& change, const std::string& origin) {
  ++clock_;
  switch (change.kind) {
    case CatalogChange::Kind::kCreate: {
      const Creation& c = change.creation;
      Lookup now = Find(c.object);
      if (c.implicit && now.state != State::kFree) return;  // PostgreSQL picks another name
      if (now.state == State::kTaken && !c.or_replace) return;
      if (now.state == State::kMaybe && c.if_not_exists) return;
      // The object keeps its node, and what depends on it, when it is
      // replaced or was only assumed to be there.
      auto old = by_key_.find(c.object.Key());
      int node = old != by_key_.end() ? old->second : Make(c.object);
      Node& made = nodes_[node];
      if (now.state != State::kTaken) {
        made.holder = origin;
        made.existing = false;
      }
      made.assumed = false;
      made.doubt.clear();
      made.settled = clock_;
      made.references.clear();
      if (!c.owner.name.empty()) {
        int owner = NodeFor(c.owner);
        nodes_[node].owners.push_back(owner);
      }
      if (IsMember(c.object.space) && !c.object.table.empty()) {
        int owner = NodeFor(TableOf(c.object));
        nodes_[node].owners.push_back(owner);
      }
      for (const ObjectName& reference : c.references) {
        int other = NodeFor(reference);
        nodes_[node].references.push_back(other);
      }
      if (c.object.space == Space::kFunction) routines_[RoutineKey(c.object)] = c.body;
      return;
    }
    case CatalogChange::Kind::kDrop: {
      const ObjectName& object = change.object;
      auto it = by_key_.find(object.Key());
      int table = -1;
      if (object.space == Space::kColumn) {
        auto t = by_key_.find(TableOf(object).Key());
        if (t != by_key_.end()) table = t->second;
      }
      if (it != by_key_.end()) Remove(it->second, change.cascade);
      settled_at_[object.Key()] = clock_;
      if (object.space == Space::kColumn && table >= 0) {
        // The column takes along the indexes and constraints on it, which
        // ratchet does not follow column by column.
        MarkMaybe("dropping " + object.Describe() + " at " + origin, table, change.cascade);
      }
      if (change.cascade && object.space != Space::kRelation && object.space != Space::kSchema) {
        // What depends on a function, type or extension is not simulated.
        MarkMaybe("DROP ... CASCADE of " + object.Describe() + " at " + origin, -1, true);
      }
      return;
    }
    case CatalogChange::Kind::kRename: {
      int node = NodeFor(change.object);
      auto target = by_key_.find(change.creation.object.Key());
      if (target != by_key_.end() && target->second != node) {
        if (!nodes_[target->second].assumed) return;  // the rename fails
        nodes_[target->second].present = false;
        by_key_.erase(target);
      }
      Rename(node, change.creation.object);
      nodes_[node].holder = origin;
      nodes_[node].existing = false;
      return;
    }
    case CatalogChange::Kind::kUncertain:
      Doubt(change.touches, change.reason, origin);
      return;
    case CatalogChange::Kind::kCall:
      return;  // the caller knows the function's body, and calls Doubt
  }
}

}  // namespace ratchet
