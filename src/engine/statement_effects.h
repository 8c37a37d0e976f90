// What a statement will do to a database, read from the statement alone:
// the objects it creates and removes, the tables it rewrites, scans or
// indexes under a lock, and why running it twice would fail. check refines
// this with the live catalog; lint uses it as it is. Each engine's dialect
// fills these (engine_driver.h); nothing above the engine reads SQL itself.
#ifndef RATCHET_SRC_ENGINE_STATEMENT_EFFECTS_H_
#define RATCHET_SRC_ENGINE_STATEMENT_EFFECTS_H_

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/status.h"

namespace ratchet {

// A named object. Names are as the engine folds them (PostgreSQL: the
// parser's; SQLite: lower-cased, since SQLite names ignore case).
struct ObjectName {
  enum class Space {
    kSchema,
    kRelation,  // PostgreSQL tables, views, indexes, sequences; SQLite tables, indexes, views
    kType,
    kFunction,
    kTrigger,
    kColumn,
    kConstraint,
    kExtension,
  };
  Space space = Space::kRelation;
  std::string what;    // for messages: "table", "index", "view", "function" ...
  std::string schema;  // "" for the default schema
  std::string name;
  std::string table;  // column, constraint, trigger: the table they belong to
  // Functions: the argument types as to_regprocedure reads them, "(int4, text)".
  std::string arguments;

  // Identifies the object within one database, e.g. "column|public|books|isbn".
  std::string Key() const;
  // "table books", "column books.isbn", "trigger audit on books".
  std::string Describe() const;
};

// What a statement may touch without naming it: the body of a DO block or
// of a function it calls.
struct Touches {
  bool all = false;             // dynamic SQL, or a language ratchet cannot read
  std::set<std::string> words;  // else the names it mentions, lower-cased
};

struct Creation {
  ObjectName object;
  bool if_not_exists = false;  // IF NOT EXISTS: an existing object is kept
  bool or_replace = false;     // OR REPLACE: an existing object is replaced
  // Made alongside what the statement names, under a name PostgreSQL
  // chooses (t_pkey, t_id_seq, a table's row type and columns): it takes
  // the name when the name is free and is never a conflict itself.
  bool implicit = false;
  // The relation whose plain DROP removes this object too: an index's
  // table, an owned sequence's, a row type's. Columns, constraints and
  // triggers go with object.table without saying so.
  ObjectName owner;
  // What a DROP ... CASCADE of which removes this object: a view's
  // relations, a foreign key's referenced table.
  std::vector<ObjectName> references;
  // Functions: what a call of it may create, drop or rename.
  Touches body;
};

// One change a statement makes to the catalog. A statement's changes are
// listed in the order they take effect: ALTER TABLE's subcommands apply one
// after the other, so DROP CONSTRAINT c, ADD CONSTRAINT c is no conflict.
struct CatalogChange {
  enum class Kind {
    kCreate,     // creation
    kDrop,       // object, with everything that goes with it
    kRename,     // object becomes creation.object
    kUncertain,  // a DO block or dynamic SQL: may change what `touches` names
    kCall,       // calls `object` (a function): as uncertain as its body
  };
  Kind kind = Kind::kCreate;
  Creation creation;
  ObjectName object;
  bool cascade = false;  // kDrop: DROP ... CASCADE
  Touches touches;       // kUncertain
  std::string reason;    // kUncertain, kCall: "a DO block", "CALL refresh()"
};

// Work on an existing table that blocks its writers (or, on SQLite, every
// writer of the database) while it lasts.
struct TableWork {
  enum class Kind {
    kRewrite,     // the table is copied: time and disk room grow with its size
    kScan,        // every row is read under the lock
    kIndexBuild,  // an index is built while writes wait
  };
  Kind kind = Kind::kRewrite;
  std::string schema;
  std::string table;            // "" with whole_database
  bool whole_database = false;  // SQLite VACUUM
  std::string lock;             // "ACCESS EXCLUSIVE", "SHARE", "the database write lock" ...
  std::string reason;           // what does it, e.g. "ALTER COLUMN status TYPE varchar(20)"
  // Refinements only the catalog (or an earlier statement) can decide:
  // ADD COLUMN with a default calling these functions rewrites only if one
  // of them is volatile.
  std::vector<std::string> default_functions;
  // SET NOT NULL scans unless a validated CHECK (column IS NOT NULL) exists.
  std::string not_null_column;
  // ALTER COLUMN TYPE rewrites unless the new type is binary-coercible.
  std::string type_column;
  std::string new_type;
  bool has_using = false;  // ALTER COLUMN TYPE ... USING: always rewrites
  // How the engine avoids this work, when it has a way of its own (an
  // index built without blocking writers), or "".
  std::string advice;
};

struct StatementEffects {
  size_t offset = 0;  // of the statement within the section text
  size_t length = 0;
  std::vector<Creation> creates;
  std::vector<ObjectName> removes;  // dropped, or renamed away
  std::vector<TableWork> work;
  // A CHECK (column IS NOT NULL) this statement adds, and the constraints
  // it validates (by name): what lets a later SET NOT NULL skip its scan.
  struct NotNullProof {
    std::string schema, table, column, constraint;
    bool not_valid = false;
  };
  std::vector<NotNullProof> not_null_proofs;
  std::vector<std::string> validates;
  // Why running the statement a second time would fail or do it twice.
  struct Repeat {
    std::string reason;
    // When the reason is that `object` would exist already: a DROP ... IF
    // EXISTS of it earlier in the same section makes the pair safe.
    std::string object_key;
  };
  std::vector<Repeat> not_idempotent;
  std::vector<std::string> extensions_created;
  // The type each column the statement creates, or changes the type of,
  // has afterwards: its key (ObjectName::Key) and the type as the server
  // writes it ("character varying(20)"). PostgreSQL only; lets lint tell a
  // type change that rewrites nothing from one that rewrites the table.
  std::vector<std::pair<std::string, std::string>> column_types;
  // What the statement does to the catalog, in order: what name conflicts
  // simulate. `creates` and `removes` above are its explicit parts.
  std::vector<CatalogChange> changes;
};

// The names `text` (a function or DO body) mentions, lower-cased, and
// whether it runs dynamic SQL (EXECUTE), which may touch any name.
Touches TouchesOfBody(std::string_view text);

// "" for the default schema ("public" on PostgreSQL, "main" on SQLite),
// otherwise `schema`: the form keys use, so that both name one place.
std::string SchemaKey(const std::string& schema);

}  // namespace ratchet

#endif  // RATCHET_SRC_ENGINE_STATEMENT_EFFECTS_H_
