// A model of the names a database holds, changed statement by statement as
// the pending items will change it: what a name conflict check asks whether
// a name is taken when a statement runs, and how sure it can be.
#ifndef RATCHET_SRC_CHECK_CATALOG_SIMULATION_H_
#define RATCHET_SRC_CHECK_CATALOG_SIMULATION_H_

#include <map>
#include <string>
#include <vector>

#include "engine/catalog_facts.h"
#include "engine/statement_effects.h"

namespace ratchet {

// Names are given with their schema filled in (the default schema for an
// unqualified one), so that one object has one key.
class CatalogSimulation {
 public:
  enum class State {
    kFree,   // nothing holds the name
    kTaken,  // an object holds it, for certain
    kMaybe,  // something ratchet cannot see may hold it, or may have freed it
  };
  struct Lookup {
    State state = State::kFree;
    bool existing = false;  // held by an object of the database as it is now
    std::string holder;     // "a table" (existing) or where the plan made it
    std::string doubt;      // kMaybe: why ratchet cannot be sure
  };

  // An ancestor of an existing object: what takes it along when dropped,
  // with CASCADE (`cascade`) or without.
  using Ancestor = DroppedWith;

  // Records an object the database holds now, `holder` saying what it is
  // ("a table"), with what a DROP would take it along with.
  void AddExisting(const ObjectName& object, const std::string& holder,
                   const std::vector<Ancestor>& ancestors);

  // Whether `object`'s name is taken at this point of the plan.
  Lookup Find(const ObjectName& object) const;

  // Applies one change of a statement; `origin` names the statement
  // ("V4 (items/V4__4__t.sql:2:1)"). A kCall change is applied by giving
  // what the called function may touch with Doubt.
  void Apply(const CatalogChange& change, const std::string& origin);

  // From now on, any name `touches` covers may have been created, dropped
  // or renamed, by `reason` at `origin`.
  void Doubt(const Touches& touches, const std::string& reason, const std::string& origin);

  // What calling a function the plan created (by schema and name, any
  // arguments) may touch; false if the plan created no such function.
  bool RoutineBody(const ObjectName& function, Touches* body) const;

 private:
  struct Node {
    ObjectName name;
    bool present = true;
    bool existing = false;  // in the database now, not made by the plan
    bool assumed = false;   // named by a statement, never seen: its presence is unknown
    std::string holder;
    std::string doubt;            // set when a drop may or may not have removed it
    int settled = -1;             // the change that last set its state
    std::vector<int> owners;      // plain DROP of one of these removes this node
    std::vector<int> references;  // DROP ... CASCADE of one of these removes it
  };
  struct DoubtEvent {
    int at = 0;
    Touches touches;
    std::string why;
  };

  int NodeFor(const ObjectName& name);  // the present node of the name, or an assumed one
  int Make(const ObjectName& name);
  void Bind(int node);
  void Remove(int node, bool cascade);
  void Rename(int node, const ObjectName& to);
  // Leaves what a drop may have taken along in doubt: what goes with a
  // column of `table`, or (table < 0) everything.
  void MarkMaybe(const std::string& why, int table, bool cascade);
  bool Touched(const Node& node, const Touches& touches) const;
  const DoubtEvent* DoubtSince(int at, const Node* node, const ObjectName& name) const;

  std::vector<Node> nodes_;
  std::map<std::string, int> by_key_;      // present nodes
  std::map<std::string, int> settled_at_;  // key -> last change that freed it
  std::vector<DoubtEvent> doubts_;
  std::map<std::string, Touches> routines_;  // "schema|name" -> body
  int clock_ = 0;
};

}  // namespace ratchet

#endif  // RATCHET_SRC_CHECK_CATALOG_SIMULATION_H_
