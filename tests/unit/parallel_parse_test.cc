// ParseDeferredItems on a large set, where several threads parse: every item
// parsed as a one-by-one parse at load would, and the first bad item in
// version order is the one reported.
#include <gtest/gtest.h>

#include <deque>
#include <string>
#include <vector>

#include "unit/set_fixture.h"

namespace ratchet::testing {
namespace {

constexpr int kItems = 1200;  // several threads' worth

std::string ItemName(int i) { return "V" + std::to_string(i) + "__1__item.sql"; }

// Item i's SQL: statements that differ from item to item, so that an item
// given another's statements shows; every seventh item builds an index
// concurrently (non-transactional), every eleventh has two sections.
std::string ItemText(int i) {
  std::string t = "t" + std::to_string(i);
  if (i % 7 == 0) return "CREATE INDEX CONCURRENTLY " + t + "_a ON t1 (a);\n";
  std::string sql;
  if (i % 11 == 0)
    sql += "-- ratchet: prepare\nCREATE TABLE " + t + "_new (a int);\n-- ratchet: finalize\n";
  sql += "CREATE TABLE " + t + " (a int);\n";
  for (int k = 0; k < i % 5; ++k)
    sql += "INSERT INTO " + t + " VALUES (" + std::to_string(k) + ");\n";
  return sql;
}

void WriteItems(TempSet* set) {
  for (int i = 1; i <= kItems; ++i) set->Item(ItemName(i), ItemText(i));
}

std::vector<EngineKind> Engines() { return {EngineKind::kPostgres, EngineKind::kSqlite}; }

TEST(ParallelParse, ParsesEveryItemAsALoadDoes) {
  TempSet set;
  WriteItems(&set);
  for (EngineKind engine : Engines()) {
    LoadOptions eager;
    eager.parse_for = engine;
    auto loaded = set.Load(eager);
    ASSERT_TRUE(loaded.ok()) << loaded.status().message();
    LoadOptions deferred;
    deferred.defer_parse = true;
    auto lazy = set.Load(deferred);
    ASSERT_TRUE(lazy.ok()) << lazy.status().message();

    std::vector<const Item*> items = lazy->ItemsFor(engine);
    std::deque<Item> storage;
    Status s = ParseDeferredItems(engine, &items, &storage);
    ASSERT_TRUE(s.ok()) << s.message();
    std::vector<const Item*> expected = loaded->ItemsFor(engine);
    ASSERT_EQ(items.size(), static_cast<size_t>(kItems));
    ASSERT_EQ(items.size(), expected.size());
    EXPECT_EQ(storage.size(), items.size());
    for (size_t i = 0; i < items.size(); ++i) {
      const Item& got = *items[i];
      const Item& want = *expected[i];
      ASSERT_TRUE(got.parsed) << got.file_name;
      EXPECT_EQ(got.file_name, want.file_name);
      ASSERT_EQ(got.sections.size(), want.sections.size()) << got.file_name;
      for (size_t k = 0; k < got.sections.size(); ++k) {
        const Section& a = got.sections[k];
        const Section& b = want.sections[k];
        EXPECT_EQ(a.non_transactional, b.non_transactional) << got.file_name;
        ASSERT_EQ(a.statements.size(), b.statements.size()) << got.file_name;
        for (size_t n = 0; n < a.statements.size(); ++n) {
          EXPECT_EQ(a.statements[n].offset, b.statements[n].offset) << got.file_name;
          EXPECT_EQ(a.statements[n].length, b.statements[n].length) << got.file_name;
          EXPECT_EQ(a.statements[n].node, b.statements[n].node) << got.file_name;
          EXPECT_EQ(a.statements[n].non_transactional, b.statements[n].non_transactional)
              << got.file_name;
        }
      }
    }
    // The concurrent index item, in PostgreSQL, runs outside a transaction.
    EXPECT_EQ(items[6]->sections[0].non_transactional, engine == EngineKind::kPostgres);
    EXPECT_EQ(items[6]->sections[0].statements.size(), 1u);
    EXPECT_EQ(items[2]->sections[0].statements.size(), 4u);  // V3: a table and 3 rows
  }
}

TEST(ParallelParse, ReportsTheFirstBadItemInVersionOrder) {
  // Bad items early, in the middle and at the end, each of a different kind;
  // whichever thread meets one first, V300's error is the one reported.
  for (int first_bad : {1, 300, kItems}) {
    TempSet set;
    WriteItems(&set);
    set.Item(ItemName(first_bad), "CREATE TABLE ok (a int);\nBEGIN;\nSELECT 1;\nCOMMIT;\n");
    if (first_bad < 900) set.Item(ItemName(900), "CREATE TABLE (;\n");
    if (first_bad < kItems) set.Item(ItemName(kItems), "SELECT 1;\nBEGIN;\n");
    for (EngineKind engine : Engines()) {
      LoadOptions deferred;
      deferred.defer_parse = true;
      auto lazy = set.Load(deferred);
      ASSERT_TRUE(lazy.ok()) << lazy.status().message();
      std::vector<const Item*> items = lazy->ItemsFor(engine);
      const std::vector<const Item*> before = items;
      std::deque<Item> storage;

      Status s = ParseDeferredItems(engine, &items, &storage);
      ASSERT_EQ(s.code(), Code::kInvalidSet) << s.message();
      EXPECT_NE(s.message().find("items/" + ItemName(first_bad) + ":2:1"), std::string::npos)
          << s.message();
      EXPECT_NE(s.message().find("controls its own transaction"), std::string::npos) << s.message();
      // As after a one-by-one parse: the items before the bad one parsed and
      // in place, the rest untouched.
      ASSERT_EQ(storage.size(), static_cast<size_t>(first_bad - 1));
      for (size_t i = 0; i < items.size(); ++i) {
        if (i + 1 < static_cast<size_t>(first_bad)) {
          EXPECT_EQ(items[i], &storage[i]);
          EXPECT_TRUE(items[i]->parsed);
          EXPECT_EQ(items[i]->file_name, before[i]->file_name);
        } else {
          EXPECT_EQ(items[i], before[i]);
          EXPECT_FALSE(items[i]->parsed);
        }
      }
    }
  }
}

}  // namespace
}  // namespace ratchet::testing
