// On PostgreSQL an item and its bookkeeping reach the server in one round
// trip: measured through the library, the way the tool runs an upgrade.
#include <gtest/gtest.h>

#include "engine/postgres/postgres_connection.h"
#include "ratchet/runner.h"
#include "ratchet/upgrade_set.h"
#include "support/harness.h"

namespace ratchet::testing {
namespace {

class RoundTrips : public EngineTest {
 protected:
  // Round trips of an upgrade of a fresh set of `n` two-statement items.
  int64_t UpgradeRoundTrips(int n) {
    std::map<std::string, std::string> items;
    for (int i = 1; i <= n; ++i) {
      items["V" + std::to_string(i) + "__0__item_" + std::to_string(i) + ".sql"] =
          "CREATE TABLE t" + std::to_string(i) + " (id integer);\nINSERT INTO t" +
          std::to_string(i) + " VALUES (" + std::to_string(i) + ");\n";
    }
    WriteSet(items);
    Rows("DROP SCHEMA IF EXISTS ratchet CASCADE");
    for (int i = 1; i <= 40; ++i) Rows("DROP TABLE IF EXISTS t" + std::to_string(i));
    LoadOptions load;
    load.parse_for = EngineKind::kPostgres;
    auto set = LoadUpgradeSet(set_dir(), load);
    EXPECT_TRUE(set.ok()) << set.status().message();
    auto conn = Open();
    int64_t before = postgres::RoundTrips(*conn);
    auto summary = Upgrade(*conn, *set, {}, nullptr);
    EXPECT_TRUE(summary.ok()) << summary.status().message();
    EXPECT_EQ(summary->applied, static_cast<size_t>(n));
    return postgres::RoundTrips(*conn) - before;
  }
};
INSTANTIATE_TEST_SUITE_P(Engines, RoundTrips, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

TEST_P(RoundTrips, EachItemWithItsBookkeepingCostsOneRoundTrip) {
  int64_t ten = UpgradeRoundTrips(10);
  int64_t thirty = UpgradeRoundTrips(30);
  EXPECT_EQ(thirty - ten, 20) << "10 items: " << ten << ", 30 items: " << thirty;
  EXPECT_EQ(Value("SELECT COUNT(*) FROM ratchet.items WHERE phase = 'applied'"), "30");
  EXPECT_EQ(Value("SELECT COUNT(*) FROM ratchet.events WHERE event = 'item-applied'"), "30");
  EXPECT_EQ(Value("SELECT SUM(id) FROM (SELECT id FROM t1 UNION ALL SELECT id FROM t30) s"), "31");
}

}  // namespace
}  // namespace ratchet::testing
