// Embedded upgrade sets: a set compiled in by ratchet_embed_set() keeps
// every byte of its files, and LoadEmbeddedSet loads it exactly as
// LoadUpgradeSet loads its directory: the same items and checksums, and for
// a mistake the same message at the same file, line and column.
#include "ratchet/embedded_set.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "bad_embedded.h"
#include "bookshop_embedded.h"
#include "bytes_embedded.h"
#include "support/harness.h"
#include "unit/set_fixture.h"

namespace ratchet {
namespace {

namespace fs = std::filesystem;
using ::ratchet::testing::TempSet;

std::string ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// Every item field that loading fills, one line each, for comparing two
// loads of the same set.
std::string Describe(const UpgradeSet& set) {
  std::ostringstream out;
  const Project& p = set.project;
  out << "project " << p.name << " history " << p.history_schema << " lock "
      << p.lock_timeout.count() << " statement " << p.statement_timeout.count() << " commit "
      << p.sqlite_commit_interval.count() << " db " << p.default_db << " server "
      << p.min_server_version << "\n";
  for (const std::string& e : p.engines) out << "engine " << e << "\n";
  for (const Release& r : p.releases)
    out << "release " << r.name << " " << r.head.ToString() << "\n";
  for (const auto& [name, value] : p.required_settings) out << "setting " << name << value << "\n";
  for (const Item& item : set.items) {
    out << "item " << item.file_name << " " << item.version.ToString() << " " << item.ticket << " "
        << item.description << " [" << item.engine << "] " << item.checksum << " optional "
        << item.optional << " transaction " << static_cast<int>(item.transaction) << " no_sql "
        << item.no_sql << " parsed " << item.parsed << " size " << item.content.size() << "\n";
    for (const Version& r : item.requires_versions) out << "  requires " << r.ToString() << "\n";
    for (const Section& s : item.sections) {
      out << "  section " << SectionName(s.kind) << " at " << s.offset << " line " << s.marker_line
          << " bytes " << s.text.size() << " non_transactional " << s.non_transactional << "\n";
      for (const Statement& st : s.statements) {
        out << "    statement " << st.offset << "+" << st.length << " " << st.node << "\n";
      }
    }
  }
  return out.str();
}

// The loads to compare: unparsed, and parsed for each engine.
std::vector<LoadOptions> EveryLoad() {
  LoadOptions sqlite, postgres;
  sqlite.parse_for = EngineKind::kSqlite;
  postgres.parse_for = EngineKind::kPostgres;
  return {LoadOptions{}, sqlite, postgres};
}

TEST(EmbeddedSet, LoadsTheBookshopAsItsDirectoryLoads) {
  for (const LoadOptions& options : EveryLoad()) {
    Result<UpgradeSet> files = LoadUpgradeSet(testing::BookshopSet(), options);
    Result<UpgradeSet> embedded = LoadEmbeddedSet(bookshop_embedded(), options);
    ASSERT_TRUE(files.ok()) << files.status().message();
    ASSERT_TRUE(embedded.ok()) << embedded.status().message();
    ASSERT_EQ(embedded->items.size(), 17u);
    EXPECT_EQ(Describe(*embedded), Describe(*files));
    for (size_t i = 0; i < files->items.size(); ++i) {
      EXPECT_EQ(embedded->items[i].content, files->items[i].content) << files->items[i].file_name;
      EXPECT_EQ(embedded->items[i].checksum, files->items[i].checksum);
      EXPECT_EQ(embedded->items[i].path,
                fs::path("embedded:bookshop_embedded/items") / files->items[i].file_name);
    }
  }
  EXPECT_EQ(LoadEmbeddedSet(bookshop_embedded())->dir, fs::path("embedded:bookshop_embedded"));
}

TEST(EmbeddedSet, KeepsEveryByteOfEveryFileAndLeavesHiddenFilesOut) {
  const fs::path dir = fs::path(RATCHET_SOURCE_DIR) / "tests/sets/embedded_bytes";
  const EmbeddedSet& embedded = bytes_embedded();
  std::map<std::string, std::string> compiled;
  for (size_t i = 0; i < embedded.file_count; ++i) {
    compiled[embedded.files[i].path] = std::string(embedded.files[i].bytes());
  }
  std::map<std::string, std::string> expected = {{"items/", ""}};
  for (const char* name :
       {"ratchet.toml", "items/V1__0__create_notes.sql", "items/V2__0__index_notes.sql",
        "items/empty.txt", "items/all_bytes.bin", "items/README.md"}) {
    expected[name] = ReadBytes(dir / name);
  }
  EXPECT_EQ(compiled, expected);
  EXPECT_EQ(compiled["items/all_bytes.bin"].size(), 516u);
  EXPECT_EQ(compiled["items/all_bytes.bin"][0], '\0');
  EXPECT_EQ(compiled["items/V1__0__create_notes.sql"].find("\r\n") != std::string::npos, true);
  ASSERT_TRUE(fs::exists(dir / "items/.V1__0__create_notes.sql.swp"));  // left out above

  for (const LoadOptions& options : EveryLoad()) {
    Result<UpgradeSet> files = LoadUpgradeSet(dir, options);
    Result<UpgradeSet> loaded = LoadEmbeddedSet(embedded, options);
    ASSERT_TRUE(files.ok()) << files.status().message();
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    ASSERT_EQ(loaded->items.size(), 2u);
    EXPECT_EQ(Describe(*loaded), Describe(*files));
    EXPECT_EQ(loaded->items[0].checksum,
              ItemChecksum(ReadBytes(dir / "items/V1__0__create_notes.sql")));
  }
}

TEST(EmbeddedSet, ReportsABadItemAtTheSameFileLineAndColumn) {
  const fs::path dir = fs::path(RATCHET_SOURCE_DIR) / "tests/sets/embedded_bad";
  LoadOptions options;
  options.parse_for = EngineKind::kPostgres;
  Result<UpgradeSet> files = LoadUpgradeSet(dir, options);
  Result<UpgradeSet> embedded = LoadEmbeddedSet(bad_embedded(), options);
  ASSERT_FALSE(files.ok());
  ASSERT_FALSE(embedded.ok());
  EXPECT_EQ(embedded.status().code(), Code::kInvalidSet);
  EXPECT_EQ(embedded.status().message(), files.status().message());
  EXPECT_EQ(embedded.status().message().rfind("items/V2__0__broken.sql:3:1: ", 0), 0u)
      << embedded.status().message();
}

// An embedded set made from `dir` as ratchet_embed_set() makes one:
// ratchet.toml, items/ and every entry under it but hidden ones,
// directories as "path/", sorted by path.
class DiskSet {
 public:
  explicit DiskSet(const fs::path& dir) {
    std::vector<std::string> paths;
    if (fs::exists(dir / "ratchet.toml")) paths.push_back("ratchet.toml");
    if (fs::is_directory(dir / "items")) {
      paths.push_back("items/");
      for (auto it = fs::recursive_directory_iterator(dir / "items");
           it != fs::recursive_directory_iterator(); ++it) {
        std::string name = it->path().filename().string();
        if (name[0] == '.') {
          if (it->is_directory()) it.disable_recursion_pending();
          continue;
        }
        std::string rel = fs::relative(it->path(), dir).generic_string();
        paths.push_back(it->is_directory() ? rel + "/" : rel);
      }
    }
    std::sort(paths.begin(), paths.end());
    for (const std::string& path : paths) {
      paths_.push_back(path);
      contents_.push_back(path.back() == '/' ? "" : ReadBytes(dir / path));
    }
    for (size_t i = 0; i < paths_.size(); ++i) {
      const std::string& bytes = contents_[i];
      files_.push_back(
          {paths_[i].c_str(),
           bytes.empty() ? nullptr : reinterpret_cast<const unsigned char*>(bytes.data()),
           bytes.size()});
    }
    set_ = {"disk", files_.data(), files_.size()};
  }
  const EmbeddedSet& set() const { return set_; }

 private:
  std::vector<std::string> paths_, contents_;
  std::vector<EmbeddedFile> files_;
  EmbeddedSet set_;
};

// Loads `set` both ways and expects the same refusal; returns the message.
std::string SameRefusal(const TempSet& set, const LoadOptions& options = {}) {
  Result<UpgradeSet> files = set.Load(options);
  DiskSet disk(set.dir());
  Result<UpgradeSet> embedded = LoadEmbeddedSet(disk.set(), options);
  EXPECT_FALSE(files.ok());
  EXPECT_FALSE(embedded.ok());
  if (files.ok() || embedded.ok()) return "";
  EXPECT_EQ(embedded.status().code(), files.status().code());
  EXPECT_EQ(embedded.status().message(), files.status().message());
  return embedded.status().message();
}

constexpr char kTable[] = "CREATE TABLE t (a integer);\n";

TEST(EmbeddedSet, RefusesWhatTheDirectoryLoaderRefusesWithTheSameMessage) {
  {
    TempSet set;
    set.Item("V1__0__Create_T.sql", kTable);
    EXPECT_CONTAINS(SameRefusal(set), "items/V1__0__Create_T.sql: not a valid item file name");
  }
  {
    TempSet set;
    set.Item("V1__0__create_t.sql", "-- ratchet: requirs V0\n" + std::string(kTable));
    EXPECT_CONTAINS(SameRefusal(set), "items/V1__0__create_t.sql:1:");
  }
  {
    TempSet set;
    set.Item("V1__0__create_t.sql", kTable);
    set.Item("V2__0__create_u.sql", "-- ratchet: requires V7\nCREATE TABLE u (a integer);\n");
    EXPECT_CONTAINS(SameRefusal(set), "items/V2__0__create_u.sql:1:");
  }
  {
    TempSet set;
    set.Item("V1__0__create_t.sql", kTable);
    set.Item("V1__0__create_u.sql", kTable);
    EXPECT_CONTAINS(SameRefusal(set), "version V1 is already used");
  }
  {
    TempSet set;
    set.Item("V1__0__create_t.sql", "-- ratchet: requires V2\n" + std::string(kTable));
    set.Item("V2__0__create_u.sql", "-- ratchet: requires V1\nCREATE TABLE u (a integer);\n");
    EXPECT_CONTAINS(SameRefusal(set), "dependency cycle");
  }
  {
    TempSet set;
    set.Item("V1__0__create_t.sql", "\xff\xfe" + std::string(kTable));
    EXPECT_CONTAINS(SameRefusal(set), "items/V1__0__create_t.sql:1:1");
  }
  {
    TempSet set;
    set.Item("V1__0__create_t.SQL", kTable);
    EXPECT_CONTAINS(SameRefusal(set), "items/V1__0__create_t.SQL: item files end in lower-case");
  }
  {
    TempSet set;
    std::filesystem::create_directories(set.dir() / "items" / "old");
    set.Item("old/V1__0__create_t.sql", kTable);
    EXPECT_CONTAINS(SameRefusal(set), "items/old/: items/ holds item files only");
  }
  {
    TempSet set;
    set.Toml("[project]\nname = \"shop\"\nlock-timeout = 5\n");
    set.Item("V1__0__create_t.sql", kTable);
    EXPECT_CONTAINS(SameRefusal(set), "ratchet.toml:3:");
  }
  {
    TempSet set;
    set.Toml("[project\nname = \"shop\"\n");
    EXPECT_CONTAINS(SameRefusal(set), "ratchet.toml:1:");
  }
  {
    TempSet set;
    set.Toml("[project]\nname = \"shop\"\n\n[[release]]\nname = \"1.0\"\nhead = \"V9\"\n");
    set.Item("V1__0__create_t.sql", kTable);
    EXPECT_CONTAINS(SameRefusal(set), "ratchet.toml:4: release '1.0' has head V9");
  }
  {
    TempSet set;
    set.Item("V1__0__create_t.sql", "CREATE TABLE t (a integer);\nSELEC 1;\n");
    LoadOptions options;
    options.parse_for = EngineKind::kPostgres;
    EXPECT_CONTAINS(SameRefusal(set, options), "items/V1__0__create_t.sql:2:1");
  }
}

TEST(EmbeddedSet, NamesItselfWhenRatchetTomlOrItemsAreMissing) {
  const EmbeddedFile toml_only[] = {{"ratchet.toml", nullptr, 0}};
  Result<UpgradeSet> no_items = LoadEmbeddedSet({"shop", toml_only, 1});
  ASSERT_FALSE(no_items.ok());
  EXPECT_EQ(no_items.status().message(),
            "embedded:shop: no items/ directory: create it and put the item files there");
  const EmbeddedFile items_only[] = {{"items/", nullptr, 0}};
  Result<UpgradeSet> no_toml = LoadEmbeddedSet({"shop", items_only, 1});
  ASSERT_FALSE(no_toml.ok());
  EXPECT_EQ(no_toml.status().code(), Code::kInvalidSet);
  EXPECT_CONTAINS(no_toml.status().message(), "embedded:shop: no ratchet.toml embedded");
}

}  // namespace
}  // namespace ratchet
