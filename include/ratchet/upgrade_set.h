// The upgrade set: ratchet.toml and the item files under items/, as loaded.
#ifndef RATCHET_UPGRADE_SET_H_
#define RATCHET_UPGRADE_SET_H_

#include <chrono>
#include <deque>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ratchet/engine.h"
#include "ratchet/status.h"
#include "ratchet/version.h"

namespace ratchet {

enum class SectionKind { kCheck, kPrepare, kFinalize, kRollback };
const char* SectionName(SectionKind kind);

// One statement of a section, as the engine's parser split it at load time
// (PostgreSQL: libpg_query; SQLite: sqlite3_complete). SQLite executes by
// sqlite3_prepare_v2 tails; these spans are for classification.
struct Statement {
  size_t offset = 0;  // byte offset within the section text
  size_t length = 0;
  // Cannot run inside a transaction block (CREATE INDEX CONCURRENTLY, VACUUM...).
  bool non_transactional = false;
  // BEGIN, COMMIT, ROLLBACK, SAVEPOINT ... written in the item itself.
  bool transaction_control = false;
  // May end transactions from inside (a DO block or a procedure call that
  // can COMMIT): under `transaction none` it runs on its own, not in a
  // transaction ratchet opens for it.
  bool may_commit = false;
  // The parse node's name, e.g. "CreateStmt", "IndexStmt".
  std::string node;
};

struct Section {
  SectionKind kind = SectionKind::kFinalize;
  std::string text;     // the SQL of the section, verbatim from the file
  size_t offset = 0;    // byte offset of `text` within the file
  int marker_line = 0;  // line of the section marker, 0 for an unmarked file
  // Runs outside a transaction: every statement requires it, or the item says
  // `-- ratchet: transaction none`. Journaled started/done (invariant 2).
  bool non_transactional = false;
  std::vector<Statement> statements;  // filled when parsed for an engine
};

enum class TransactionMode { kPerItem, kNone };

// One item file: a version of the schema change, for every engine or one.
struct Item {
  Version version;
  std::string ticket;
  std::string description;
  // "" when the file serves every engine, else the engine's name.
  std::string engine;
  std::filesystem::path path;  // absolute path of the file
  std::string file_name;       // the file name alone, for messages
  std::string content;         // the file's bytes

  std::vector<Version> requires_versions;
  bool optional = false;
  TransactionMode transaction = TransactionMode::kPerItem;
  bool transaction_declared = false;  // `-- ratchet: transaction` was written
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
  std::optional<Version> same_as;
  size_t requires_offset = 0;  // where the requires directive is, for messages
  size_t same_as_offset = 0;   // where the same-as directive is

  std::vector<Section> sections;  // in file order
  // The file holds only comments and blanks: a change only another engine
  // needed, or an item not written yet. It loads, runs nothing and is
  // recorded applied; lint warns about it.
  bool no_sql = false;
  std::string checksum;  // hex SHA-256, see ItemChecksum
  // The sections were split and classified by an engine's parser (their
  // statements and non_transactional are filled).
  bool parsed = false;

  // Returns the section of `kind`, or nullptr.
  const Section* section(SectionKind kind) const;
  // Returns "file:line:column" of byte `offset` in the file.
  std::string Position(size_t offset) const;
  void LineColumn(size_t offset, int* line, int* column) const;
};

struct Release {
  std::string name;
  Version head;  // the release contains every item up to and including head
};

// Settings from ratchet.toml.
struct Project {
  std::string name;
  std::vector<std::string> engines;  // engines the set supports
  std::string history_schema = "ratchet";
  std::chrono::milliseconds lock_timeout{5000};
  std::chrono::milliseconds statement_timeout{0};
  // SQLite: how long consecutive items may share a transaction before it
  // commits ("0": each item commits on its own). See TransactionGroup.
  std::chrono::milliseconds sqlite_commit_interval{250};
  std::string default_db;  // [project] db, may be empty
  std::vector<Release> releases;
  std::string min_server_version;
  std::vector<std::string> required_extensions;
  // [requirements.settings]: name and required value, e.g. wal_level =
  // "logical" or max_connections = ">= 100" (PostgreSQL settings; SQLite
  // pragmas such as journal_mode = "wal").
  std::vector<std::pair<std::string, std::string>> required_settings;
};

struct UpgradeSet {
  std::filesystem::path dir;
  Project project;
  std::vector<Item> items;  // every file, sorted by version then engine

  // The items that `engine` runs, one per version, in ascending version:
  // the engine's own variant where there is one, else the generic file.
  std::vector<const Item*> ItemsFor(EngineKind engine) const;
  // Returns the release called `name`, or nullptr.
  const Release* FindRelease(std::string_view name) const;
};

struct LoadOptions {
  // When set, items for this engine are also parsed with its parser
  // (PostgreSQL: libpg_query), so syntax errors stop the run before any
  // database is touched.
  std::optional<EngineKind> parse_for;
  // Parse nothing while loading: the caller parses the items it is about to
  // run or show with ParseDeferredItems, so that a run with nothing pending
  // parses no SQL at all (DESIGN §6).
  bool defer_parse = false;
};

// Loads the upgrade set in `dir`. Returns kInvalidSet, naming the file, line
// and fix, on the first malformed input: nothing is touched on error.
Result<UpgradeSet> LoadUpgradeSet(const std::filesystem::path& dir,
                                  const LoadOptions& options = {});

// Parses, with `engine`'s parser, each item of `*items` that is not parsed
// yet (a set loaded with defer_parse), with the checks LoadUpgradeSet's
// parse_for makes. The parsed copy is kept in `*storage` and takes the
// item's place in `*items`; parsed items are left as they are. Returns
// kInvalidSet naming the file, line and fix on the first bad item.
Status ParseDeferredItems(EngineKind engine, std::vector<const Item*>* items,
                          std::deque<Item>* storage);

// The checksum of an item file: hex SHA-256 of its text with comments
// removed and whitespace reduced to what separates two words, so reformatting
// and editing comments never count as drift. Directives and section markers
// are part of it. `engine` is the engine the file is for ("postgresql",
// "sqlite", or "" for a file that serves every engine): where that engine
// reads comments or quotes differently from the others, the checksum also
// covers the text as that engine reads it, so nothing it runs is left out.
std::string ItemChecksum(std::string_view content, std::string_view engine = "");

// The longest duration a setting may have: 2^31 - 1 ms (24 days 20 h), the
// largest lock_timeout and statement_timeout PostgreSQL accepts.
constexpr std::chrono::milliseconds kMaxDuration{2147483647};

// Parses a duration such as "5s", "250ms", "1.5min", "2h" or "0". Returns
// nullopt for anything else, and for a duration over kMaxDuration.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace ratchet

#endif  // RATCHET_UPGRADE_SET_H_
