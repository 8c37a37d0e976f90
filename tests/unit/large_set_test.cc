// Loading large sets: file names matched without a regular expression, files
// read by several threads, and the same items, order and first error as a
// file-by-file load.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "set/item_file.h"
#include "unit/set_fixture.h"

namespace ratchet::testing {
namespace {

struct NameCase {
  const char* name;
  bool valid;
  const char* version = "";
  const char* ticket = "";
  const char* description = "";
  const char* engine = "";
};

TEST(ItemFileName, AcceptsExactlyTheGrammar) {
  const std::vector<NameCase> cases = {
      {"V1__0__init.sql", true, "V1", "0", "init", ""},
      {"V2.1__5408__jsonb_path.sql", true, "V2.1", "5408", "jsonb_path", ""},
      {"V10__12__audit_trigger.postgresql.sql", true, "V10", "12", "audit_trigger", "postgresql"},
      {"V3__12__a1_b2_c3.sqlite.sql", true, "V3", "12", "a1_b2_c3", "sqlite"},
      {"V4__1__postgresql.sql", true, "V4", "1", "postgresql", ""},
      {"V007__1__x.sql", true, "V7", "1", "x", ""},
      {"v1__1__init.sql", false},
      {"V1_1__init.sql", false},
      {"V1__1_init.sql", false},
      {"V1__x1__init.sql", false},
      {"V1.__1__init.sql", false},
      {"V1.2.3__1__init.sql", false},
      {"V__1__init.sql", false},
      {"V1__1__Init.sql", false},
      {"V1__1___init.sql", false},
      {"V1__1__init_.sql", false},
      {"V1__1__in__it.sql", false},
      {"V1__1__init.mysql.sql", false},
      {"V1__1__init.sqlite.postgresql.sql", false},
      {"V1__1__.sql", false},
      {"V1__1__init.SQL", false},
      {"V1__1__in-it.sql", false},
  };
  for (const NameCase& c : cases) {
    Item item;
    Status s = ParseItemFileName(c.name, &item);
    EXPECT_EQ(s.ok(), c.valid) << c.name << ": " << s.message();
    if (!s.ok()) {
      EXPECT_NE(s.message().find("not a valid item file name"), std::string::npos) << s.message();
      continue;
    }
    EXPECT_EQ(item.version.ToString(), c.version) << c.name;
    EXPECT_EQ(item.ticket, c.ticket) << c.name;
    EXPECT_EQ(item.description, c.description) << c.name;
    EXPECT_EQ(item.engine, c.engine) << c.name;
  }
}

std::string ItemName(int i) {
  return "V" + std::to_string(i) + "__" + std::to_string(i) + "__t.sql";
}

TEST(LargeSet, LoadsEveryItemInVersionOrderWithItsChecksum) {
  TempSet set;
  constexpr int kItems = 2500;  // enough for several reading threads
  for (int i = 1; i <= kItems; ++i) {
    set.Item(ItemName(i), "-- ratchet: lock-timeout " + std::to_string(i) + "ms\nCREATE TABLE t" +
                              std::to_string(i) + " (id integer);\n");
  }
  auto loaded = set.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  ASSERT_EQ(loaded->items.size(), static_cast<size_t>(kItems));
  for (int i = 1; i <= kItems; ++i) {
    const Item& item = loaded->items[i - 1];
    ASSERT_EQ(item.version.ToString(), "V" + std::to_string(i));
    EXPECT_EQ(item.file_name, ItemName(i));
    EXPECT_EQ(item.path, set.dir() / "items" / ItemName(i));
    EXPECT_EQ(item.content, TempSet::Read(item.path));
    EXPECT_EQ(item.checksum, ItemChecksum(item.content));
    ASSERT_TRUE(item.lock_timeout.has_value());
    EXPECT_EQ(item.lock_timeout->count(), i);
  }
}

TEST(LargeSet, ReportsTheFirstBadFileInFileOrder) {
  TempSet set;
  for (int i = 1; i <= 2500; ++i) set.Item(ItemName(i), "SELECT 1;\n");
  // Files are read in name order, which is not version order, and split
  // among the reading threads in that order: of the 2500 names, V1540 is
  // the 600th (the first thread's share), V280 the 1701st and V820 the
  // 2301st (later threads' shares). The first bad file in file order is
  // the highest version of the three.
  set.Item(ItemName(1540), "-- ratchet: lock-timeout soon\nSELECT 1;\n");
  set.Item(ItemName(280), "-- ratchet: optinal\nSELECT 1;\n");
  set.Item(ItemName(820), "-- ratchet: statement-timeout never\nSELECT 1;\n");
  // An error found across files comes after every file's own.
  set.Item(ItemName(5), "-- ratchet: requires V9999\nSELECT 1;\n");
  auto loaded = set.Load();
  ASSERT_FALSE(loaded.ok());
  EXPECT_CONTAINS(loaded.status().message(), ItemName(1540));
  EXPECT_CONTAINS(loaded.status().message(), "lock-timeout");
}

}  // namespace
}  // namespace ratchet::testing
