// Parsing only what runs: an upgrade parses its pending items and no others,
// and a bad pending item still stops the run before anything is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>

#include "ratchet/upgrade_set.h"
#include "support/harness.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;

class DeferredParse : public EngineTest {};
RATCHET_ALL_ENGINES(DeferredParse);

// Refused by both engines' parsers: ratchet opens the item's transaction.
constexpr char kBroken[] =
    "-- holds its own transaction\nBEGIN;\nCREATE TABLE b (id integer);\nCOMMIT;\n";

TEST_P(DeferredParse, ItemsBeyondTheTargetAreNotParsed) {
  WriteSet({{"V1__1__orders.sql", "CREATE TABLE orders (id integer);\n"},
            {"V2__2__broken.sql", kBroken}});
  RunResult run = Ratchet("upgrade", {"--to", "V1"});
  EXPECT_EQ(run.exit_code, 0) << run.all();
  EXPECT_EQ(Value("SELECT count(*) FROM " + Books("items")), "1");

  RunResult status = Ratchet("status");
  EXPECT_EQ(status.exit_code, 0) << status.all();
  EXPECT_THAT(status.out, HasSubstr("V2"));
}

TEST_P(DeferredParse, ABadPendingItemStopsTheRunBeforeAnythingIsWritten) {
  WriteSet({{"V1__1__orders.sql", "CREATE TABLE orders (id integer);\n"},
            {"V2__2__broken.sql", kBroken}});
  RunResult fresh = Ratchet("upgrade");
  EXPECT_EQ(fresh.exit_code, 2) << fresh.all();
  EXPECT_THAT(fresh.err, HasSubstr("items/V2__2__broken.sql:2:1"));
  EXPECT_TRUE(Tables().empty());
  auto conn = Open();
  auto books = conn->HasBookkeeping();
  ASSERT_TRUE(books.ok()) << books.status().message();
  EXPECT_FALSE(*books) << "the bookkeeping was created for a run that could not start";

  ASSERT_EQ(Ratchet("upgrade", {"--to", "V1"}).exit_code, 0);
  std::string events = Value("SELECT count(*) FROM " + Books("events"));
  RunResult again = Ratchet("upgrade");
  EXPECT_EQ(again.exit_code, 2) << again.all();
  EXPECT_THAT(again.err, HasSubstr("items/V2__2__broken.sql:2:1"));
  EXPECT_EQ(Value("SELECT count(*) FROM " + Books("events")), events);
  EXPECT_EQ(Value("SELECT status FROM " + Books("state")), "active");

  RunResult plan = Ratchet("plan");
  EXPECT_EQ(plan.exit_code, 2) << plan.all();
  EXPECT_THAT(plan.err, HasSubstr("items/V2__2__broken.sql:2:1"));
}

TEST_P(DeferredParse, DeferredItemsParseAsTheyWouldWhenLoaded) {
  WriteSet({{"V1__1__orders.sql",
             "-- ratchet: prepare\nCREATE TABLE orders (id integer);\n-- ratchet: finalize\n"
             "INSERT INTO orders VALUES (1);\nINSERT INTO orders VALUES (2);\n"},
            {"V2__2__index.sql", is_sqlite()
                                     ? "CREATE INDEX orders_id ON orders (id);\n"
                                     : "CREATE INDEX CONCURRENTLY orders_id ON orders (id);\n"}});
  LoadOptions eager;
  eager.parse_for = engine();
  auto loaded = LoadUpgradeSet(set_dir(), eager);
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  LoadOptions deferred = eager;
  deferred.defer_parse = true;
  auto lazy = LoadUpgradeSet(set_dir(), deferred);
  ASSERT_TRUE(lazy.ok()) << lazy.status().message();

  std::vector<const Item*> items = lazy->ItemsFor(engine());
  for (const Item* item : items) EXPECT_FALSE(item->parsed) << item->file_name;
  std::deque<Item> storage;
  ASSERT_TRUE(ParseDeferredItems(engine(), &items, &storage).ok());
  std::vector<const Item*> expected = loaded->ItemsFor(engine());
  ASSERT_EQ(items.size(), expected.size());
  for (size_t i = 0; i < items.size(); ++i) {
    EXPECT_TRUE(items[i]->parsed);
    ASSERT_EQ(items[i]->sections.size(), expected[i]->sections.size());
    for (size_t s = 0; s < items[i]->sections.size(); ++s) {
      const Section& got = items[i]->sections[s];
      const Section& want = expected[i]->sections[s];
      EXPECT_EQ(got.non_transactional, want.non_transactional) << items[i]->file_name;
      ASSERT_EQ(got.statements.size(), want.statements.size()) << items[i]->file_name;
      for (size_t k = 0; k < got.statements.size(); ++k) {
        EXPECT_EQ(got.statements[k].offset, want.statements[k].offset);
        EXPECT_EQ(got.statements[k].length, want.statements[k].length);
        EXPECT_EQ(got.statements[k].node, want.statements[k].node);
      }
    }
  }
  EXPECT_EQ(items[1]->sections[0].non_transactional, !is_sqlite());
  // Parsing again changes nothing and copies nothing.
  ASSERT_TRUE(ParseDeferredItems(engine(), &items, &storage).ok());
  EXPECT_EQ(storage.size(), 2u);
}

}  // namespace
}  // namespace ratchet::testing
