// `ratchet new`: the next item file's version, name and template.
#include "ratchet/authoring.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "ratchet/upgrade_set.h"
#include "unit/set_fixture.h"

namespace ratchet {
namespace {

namespace fs = std::filesystem;
using ::ratchet::testing::TempSet;
using ::testing::ContainsRegex;

constexpr char kSql[] = "CREATE TABLE t (a int);\n";

NewItemOptions Describe(std::string description, std::string ticket = "0") {
  NewItemOptions options;
  options.description = std::move(description);
  options.ticket = std::move(ticket);
  return options;
}

std::set<std::string> ItemFiles(const TempSet& set) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(set.dir() / "items")) {
    names.insert(entry.path().filename().string());
  }
  return names;
}

// Creates the item and returns its file name, or "" (and fails) on error.
std::string Create(const TempSet& set, const NewItemOptions& options) {
  Result<fs::path> path = CreateItemFile(set.dir(), options);
  EXPECT_TRUE(path.ok()) << path.status().message();
  if (!path.ok()) return "";
  EXPECT_TRUE(fs::is_regular_file(*path)) << *path;
  EXPECT_EQ(path->parent_path(), set.dir() / "items");
  return path->filename().string();
}

TEST(Authoring, TakesNextMajorAfterHighest) {
  TempSet set;
  set.Item("V1__0__one.sql", kSql);
  set.Item("V2__0__two.sql", kSql);
  set.Item("V2.1__0__two_fix.sql", kSql);
  EXPECT_EQ(Create(set, Describe("add isbn index", "42")), "V3__42__add_isbn_index.sql");
}

TEST(Authoring, ComparesMajorsNumerically) {
  TempSet set;
  set.Item("V2__0__two.sql", kSql);
  set.Item("V9__0__nine.sql", kSql);
  set.Item("V10__0__ten.sql", kSql);
  EXPECT_EQ(Create(set, Describe("eleven")), "V11__0__eleven.sql");
}

TEST(Authoring, StartsAtV1InEmptyItems) {
  TempSet set;
  EXPECT_EQ(Create(set, Describe("create books")), "V1__0__create_books.sql");
}

TEST(Authoring, CreatesMissingItemsDirectory) {
  TempSet set;
  fs::remove_all(set.dir() / "items");
  EXPECT_EQ(Create(set, Describe("create books")), "V1__0__create_books.sql");
}

TEST(Authoring, BackportTakesNextMinorOnThatLine) {
  TempSet set;
  set.Item("V1__0__one.sql", kSql);
  set.Item("V2__0__two.sql", kSql);
  set.Item("V2.1__0__two_fix.sql", kSql);
  set.Item("V3__0__three.sql", kSql);
  NewItemOptions options = Describe("fix prices", "9");
  options.backport = "V2";
  EXPECT_EQ(Create(set, options), "V2.2__9__fix_prices.sql");
}

TEST(Authoring, BackportOntoLineWithoutMinorsStartsAtPointOne) {
  TempSet set;
  set.Item("V1__0__one.sql", kSql);
  set.Item("V2__0__two.sql", kSql);
  NewItemOptions options = Describe("fix prices");
  options.backport = "1";
  EXPECT_EQ(Create(set, options), "V1.1__0__fix_prices.sql");
}

TEST(Authoring, BackportByReleaseName) {
  TempSet set;
  set.Toml("[project]\nname = \"shop\"\n\n[[release]]\nname = \"2024.1\"\nhead = \"V2.1\"\n");
  set.Item("V1__0__one.sql", kSql);
  set.Item("V2__0__two.sql", kSql);
  set.Item("V2.1__0__two_fix.sql", kSql);
  set.Item("V3__0__three.sql", kSql);
  NewItemOptions options = Describe("fix prices");
  options.backport = "2024.1";
  EXPECT_EQ(Create(set, options), "V2.2__0__fix_prices.sql");
}

TEST(Authoring, RefusesBackportOntoLineWithoutItems) {
  TempSet set;
  set.Item("V1__0__one.sql", kSql);
  set.Item("V3__0__three.sql", kSql);
  NewItemOptions options = Describe("fix prices");
  options.backport = "V2";
  Result<fs::path> path = CreateItemFile(set.dir(), options);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(path.status().message(),
            "--backport V2: no item has major version 2, so there is no line to back-port onto");
  EXPECT_EQ(ItemFiles(set), (std::set<std::string>{"V1__0__one.sql", "V3__0__three.sql"}));
}

TEST(Authoring, RefusesBackportThatIsNeitherVersionNorRelease) {
  TempSet set;
  set.Item("V1__0__one.sql", kSql);
  NewItemOptions options = Describe("fix prices");
  options.backport = "stable";
  Result<fs::path> path = CreateItemFile(set.dir(), options);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Code::kInvalidArgument);
  EXPECT_CONTAINS(path.status().message(), "--backport stable: name a version (V2) or a release");
}

TEST(Authoring, NormalisesDescription) {
  TempSet set;
  EXPECT_EQ(Create(set, Describe("Add ISBN index")), "V1__0__add_isbn_index.sql");
  EXPECT_EQ(Create(set, Describe("drop-old-prices")), "V2__0__drop_old_prices.sql");
}

TEST(Authoring, RefusesBadDescription) {
  TempSet set;
  for (const char* bad : {"add isbn index!", "", "_leading", "prix_à_jour", "a__b"}) {
    SCOPED_TRACE(bad);
    Result<fs::path> path = CreateItemFile(set.dir(), Describe(bad));
    ASSERT_FALSE(path.ok());
    EXPECT_EQ(path.status().code(), Code::kInvalidArgument);
    EXPECT_CONTAINS(path.status().message(), std::string("description '") + bad +
                                                 "': use letters, digits and single '_' between "
                                                 "words, e.g. add_isbn_index");
  }
  EXPECT_TRUE(ItemFiles(set).empty());
}

TEST(Authoring, RefusesTicketThatIsNotDigits) {
  TempSet set;
  Result<fs::path> path = CreateItemFile(set.dir(), Describe("add index", "PROJ-12"));
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Code::kInvalidArgument);
  EXPECT_CONTAINS(path.status().message(), "--ticket PROJ-12: a ticket is digits");
}

TEST(Authoring, AddsEngineSuffix) {
  TempSet set;
  set.Item("V1__0__one.sql", kSql);
  NewItemOptions options = Describe("audit trigger", "12");
  options.engine = "sqlite";
  EXPECT_EQ(Create(set, options), "V2__12__audit_trigger.sqlite.sql");
  options.engine = "mysql";
  Result<fs::path> path = CreateItemFile(set.dir(), options);
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Code::kInvalidArgument);
}

TEST(Authoring, RefusesDirectoryWithoutRatchetToml) {
  TempSet set;
  fs::remove(set.dir() / "ratchet.toml");
  Result<fs::path> path = CreateItemFile(set.dir(), Describe("x"));
  ASSERT_FALSE(path.ok());
  EXPECT_EQ(path.status().code(), Code::kInvalidSet);
  EXPECT_CONTAINS(path.status().message(), "no ratchet.toml here");
}

TEST(Authoring, NeverOverwritesAnExistingItem) {
  TempSet set;
  ASSERT_EQ(Create(set, Describe("create books")), "V1__0__create_books.sql");
  const fs::path first = set.dir() / "items" / "V1__0__create_books.sql";
  TempSet::Write(first, "CREATE TABLE books (id int);\n");
  EXPECT_EQ(Create(set, Describe("create books")), "V2__0__create_books.sql");
  EXPECT_EQ(TempSet::Read(first), "CREATE TABLE books (id int);\n");

  // Runs of `new` at once that choose the same name: the file is created
  // only if it does not exist, so one of them gets it and the others are
  // told; no run's file is written over. 2000 items make each run's look
  // at items/ long enough that the runs choose the same next version.
  TempSet race;
  for (int i = 1; i <= 2000; ++i) race.Item("V" + std::to_string(i) + "__0__x.sql", kSql);
  constexpr int kRounds = 10, kAtOnce = 6;
  int refused = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::atomic<int> ready{0};
    std::vector<Result<fs::path>> results(kAtOnce, Status(Code::kIo, "not run"));
    std::vector<std::thread> threads;
    for (int t = 0; t < kAtOnce; ++t) {
      threads.emplace_back([&, t] {
        ++ready;
        while (ready < kAtOnce) std::this_thread::yield();
        results[t] = CreateItemFile(race.dir(), Describe("add isbn"));
      });
    }
    for (std::thread& t : threads) t.join();
    std::set<fs::path> created;
    for (const Result<fs::path>& r : results) {
      if (r.ok()) {
        EXPECT_TRUE(created.insert(r.value()).second) << "two runs both created " << r.value();
        continue;
      }
      ++refused;
      EXPECT_EQ(r.status().code(), Code::kIo) << r.status().message();
      EXPECT_THAT(r.status().message(), ContainsRegex("items/V[0-9]+__0__add_isbn.sql: File "
                                                      "exists|items/V[0-9]+__0__add_isbn.sql "
                                                      "already exists"));
    }
    EXPECT_EQ(ItemFiles(race).size(), 2000 + created.size());
    for (const fs::path& path : created) fs::remove(path);
  }
  // The runs did meet: without the guard one would have written over another.
  EXPECT_GT(refused, 0) << "no two runs chose the same name; the guard was never reached";
}

TEST(Authoring, NewestItemStillEmptyDoesNotStopNew) {
  TempSet set;
  set.Item("V1__0__one.sql", kSql);
  ASSERT_EQ(Create(set, Describe("half written")), "V2__0__half_written.sql");
  // The set loads while V2 has no SQL, which it says ...
  Result<UpgradeSet> loaded = set.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_TRUE(loaded->items.back().no_sql);
  // ... and the next item can be started.
  EXPECT_EQ(Create(set, Describe("next one")), "V3__0__next_one.sql");
}

TEST(Authoring, TemplateLoadsOnceSqlIsAdded) {
  TempSet set;
  set.Item("V1__0__one.sql", kSql);
  ASSERT_EQ(Create(set, Describe("add isbn", "42")), "V2__42__add_isbn.sql");
  const fs::path file = set.dir() / "items" / "V2__42__add_isbn.sql";
  std::string text = TempSet::Read(file);
  EXPECT_EQ(text.rfind("-- V2 #42: add_isbn\n", 0), 0u) << text;
  TempSet::Write(file, text + "ALTER TABLE t ADD isbn text;\n");
  Result<UpgradeSet> loaded = set.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  const Item* item = testing::FindItem(*loaded, "V2");
  ASSERT_NE(item, nullptr);
  // The example directive in the template's comments is not a directive.
  EXPECT_TRUE(item->requires_versions.empty());
  ASSERT_EQ(item->sections.size(), 1u);
  EXPECT_EQ(item->sections[0].kind, SectionKind::kFinalize);
}

}  // namespace
}  // namespace ratchet
