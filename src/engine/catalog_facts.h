// What the pre-upgrade checks ask of a database's catalog, asked each
// engine's way: the checks (src/check/) decide what is a finding; an
// engine's CatalogFacts only reads.
#ifndef RATCHET_SRC_ENGINE_CATALOG_FACTS_H_
#define RATCHET_SRC_ENGINE_CATALOG_FACTS_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/statement_effects.h"
#include "ratchet/engine.h"

namespace ratchet {

// Runs the checks' read queries inside their read-only transaction, so
// that one that fails does not end the transaction for the rest.
class CatalogReader {
 public:
  virtual ~CatalogReader() = default;
  virtual Result<QueryResult> Query(const std::string& sql,
                                    const std::vector<Value>& params = {}) = 0;

  // `schema`, or the session's default schema when it is "".
  std::string SchemaOf(const std::string& schema) const {
    return schema.empty() ? default_schema : schema;
  }

  std::string default_schema;  // PostgreSQL: current_schema(); SQLite: ""
};

// An existing table that work will be done on.
struct TableFacts {
  std::string oid;         // the engine's id for it, or ""
  std::string tablespace;  // where it lives, "0" for the default, or ""
  int64_t bytes = -1;      // table, indexes and TOAST; -1 when unknown
};

// What a DROP of an object that holds a name takes along with it.
struct DroppedWith {
  ObjectName object;
  bool cascade = false;  // only a DROP ... CASCADE
};

// The connected role, where the engine has roles.
struct RoleFacts {
  std::string name;
  bool superuser = false;
  std::string database;
};

// The owner of a relation the role does not own.
struct ForeignOwner {
  std::string owner;
  std::string kind;  // "table", "view", "sequence" ...
};

class CatalogFacts {
 public:
  virtual ~CatalogFacts() = default;

  // The session's default schema, "" when the engine has none.
  virtual Result<std::string> DefaultSchema(CatalogReader& reader) const = 0;

  // -- Rewrites and locks.
  // The table `work` is done on (or the whole database), or nullopt when
  // it is not there yet.
  virtual Result<std::optional<TableFacts>> Table(CatalogReader& reader,
                                                  const TableWork& work) const = 0;
  // True when the catalog shows that `work` rewrites or scans nothing after
  // all (a stable default, a validated NOT NULL proof, a binary-coercible
  // type).
  virtual Result<bool> AvoidsWork(CatalogReader& reader, const TableWork& work,
                                  const TableFacts& table) const = 0;
  // The directory a rewrite of `table` writes into, when this machine can
  // see it; else "".
  virtual Result<std::string> DataPath(CatalogReader& reader, const TableFacts& table) const = 0;

  // -- Requirements.
  // The server's version as server_version_num and as text; nullopt when
  // the engine has no server whose version a set may require.
  struct Version {
    int number = 0;
    std::string text;
  };
  virtual Result<std::optional<Version>> ServerVersion(CatalogReader& reader) const = 0;
  // True when the engine has extensions a set may require.
  virtual bool has_extensions() const = 0;
  // Extension `name`: its installed version (nullopt when not installed)
  // and the version available to install (nullopt when none).
  struct Extension {
    std::optional<std::string> installed;
    std::optional<std::string> available;
  };
  virtual Result<Extension> ExtensionOf(CatalogReader& reader, const std::string& name) const = 0;
  // The value of setting `name` in the unit a comparison needs, or nullopt
  // when there is no such setting.
  virtual Result<std::optional<std::string>> Setting(CatalogReader& reader,
                                                     const std::string& name) const = 0;
  // Where a setting lives and is changed, for messages: "server", "database".
  virtual const char* settings_holder() const = 0;

  // -- Name conflicts.
  // For every object of `objects` (schemas filled in) whose name is taken
  // in the database, what holds it ("a table"), by the object's key with
  // the schema as SchemaOf gives it.
  virtual Status FindTaken(CatalogReader& reader, const std::vector<ObjectName>& objects,
                           std::map<std::string, std::string>* taken) const = 0;
  // What dropping the existing `object` takes along.
  virtual Result<std::vector<DroppedWith>> DroppedAlongWith(CatalogReader& reader,
                                                            const ObjectName& object) const = 0;
  // The user-defined routines among `names`, with what a call of one may
  // touch. Empty when the engine has none.
  virtual Result<std::map<std::string, Touches>> Routines(
      CatalogReader& reader, const std::set<std::string>& names) const = 0;

  // -- Privileges. nullopt when the engine has no roles (SQLite: the
  // file's mode decides, and opening it checks).
  virtual Result<std::optional<RoleFacts>> Role(CatalogReader& reader) const = 0;
  // Why `role` cannot create or write the bookkeeping in `schema`, with the
  // statement that fixes it; "" when it can.
  virtual Result<std::string> BookkeepingRefusal(CatalogReader& reader, const std::string& role,
                                                 const std::string& schema) const = 0;
  // False when an existing `schema` refuses the role CREATE.
  virtual Result<bool> MayCreateIn(CatalogReader& reader, const std::string& schema) const = 0;
  // The owner of `schema`.`table` when it exists and the role does not own
  // it (nor is a member of its owner).
  virtual Result<std::optional<ForeignOwner>> OwnerIfNotMine(CatalogReader& reader,
                                                             const std::string& schema,
                                                             const std::string& table) const = 0;
};

}  // namespace ratchet

#endif  // RATCHET_SRC_ENGINE_CATALOG_FACTS_H_
