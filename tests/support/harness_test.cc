// The test harness itself: its catalog tells apart schemas that differ only
// in what an online-vs-offline comparison must see, and a helper asked for
// something that is not there says so instead of carrying on.
#include "support/harness.h"

#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace ratchet::testing {
namespace {

class Harness : public EngineTest {
 protected:
  // The catalog of a new database of this test after `sql`.
  std::vector<std::string> CatalogAfter(const std::string& sql) {
    const std::string db = ExtraDatabase();
    auto conn = OpenDb(db);
    EXPECT_NE(conn, nullptr);
    if (!conn) return {};
    Status s = conn->ExecuteScript(sql);
    EXPECT_TRUE(s.ok()) << sql << ": " << s.message();
    return Catalog(db);
  }
};
RATCHET_ALL_ENGINES(Harness);

TEST_P(Harness, CatalogSeesTableDefinitionsAndTypeModifiers) {
  const std::string base = "CREATE TABLE parent (id INTEGER PRIMARY KEY);\n";
  // Pairs of schemas that differ in one thing only.
  std::vector<std::pair<std::string, std::string>> pairs = {
      {"CREATE TABLE t (a INTEGER, b TEXT);\n", "CREATE TABLE t (b TEXT, a INTEGER);\n"},
      {"CREATE TABLE t (a INTEGER CHECK (a > 0), b TEXT);\n",
       "CREATE TABLE t (a INTEGER, b TEXT);\n"},
      {"CREATE TABLE t (a INTEGER, b TEXT, UNIQUE (a, b));\n",
       "CREATE TABLE t (a INTEGER, b TEXT, UNIQUE (b, a));\n"},
      {"CREATE TABLE t (a INTEGER REFERENCES parent (id), b TEXT);\n",
       "CREATE TABLE t (a INTEGER, b TEXT);\n"}};
  if (!is_sqlite()) {
    pairs.push_back({"CREATE TABLE t (a VARCHAR(10));\n", "CREATE TABLE t (a VARCHAR(20));\n"});
    pairs.push_back(
        {"CREATE TABLE t (a NUMERIC(10, 2));\n", "CREATE TABLE t (a NUMERIC(12, 2));\n"});
  }
  for (const auto& [one, other] : pairs) {
    EXPECT_NE(CatalogAfter(base + one), CatalogAfter(base + other)) << one << "vs\n" << other;
    EXPECT_EQ(CatalogAfter(base + one), CatalogAfter(base + one)) << one;
  }
}

TEST_P(Harness, ExtraDatabaseRefusesToCopyADatabaseThatIsNotThere) {
  if (!is_sqlite()) GTEST_SKIP() << "a PostgreSQL template that is not there fails CREATE DATABASE";
  // A database of this test that no run has created yet copies as one
  // still to be created ...
  const std::string copy = ExtraDatabase(db());
  EXPECT_FALSE(std::filesystem::exists(copy.substr(7)));
  // ... but a file that is not there at all is a mistake in the test.
  const std::string missing = "sqlite:" + (dir() / "no-such.db").string();
  EXPECT_NONFATAL_FAILURE(ExtraDatabase(missing), "does not exist");
}

}  // namespace
}  // namespace ratchet::testing
