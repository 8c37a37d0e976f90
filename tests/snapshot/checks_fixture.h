// What the snapshot, verify, check and lint tests share on top of the engine
// harness: schema files, loading SQL straight into the test's database, and
// where scratch databases go.
#ifndef RATCHET_TESTS_SNAPSHOT_CHECKS_FIXTURE_H_
#define RATCHET_TESTS_SNAPSHOT_CHECKS_FIXTURE_H_

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/harness.h"

namespace ratchet::testing {

class ChecksTest : public EngineTest {
 protected:
  // --scratch for commands that build scratch databases: the throwaway
  // server on PostgreSQL, nothing on SQLite.
  std::vector<std::string> ScratchArgs() const {
    if (is_sqlite()) return {};
    const char* server = std::getenv("RATCHET_TEST_PG");
    return {"--scratch", server != nullptr ? server : ""};
  }

  // Writes schema/<release>.sql of the test's set.
  void WriteSchema(const std::string& release, const std::string& sql) {
    WriteFile(set_dir() / "schema" / (release + ".sql"), sql);
  }

  // Runs `sql` on the test's database, outside ratchet.
  void Load(const std::string& sql) {
    auto conn = Open();
    ASSERT_NE(conn, nullptr);
    Status s = conn->ExecuteScript(sql);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // The text of a file of examples/bookshop.
  static std::string BookshopFile(const std::string& relative) {
    std::ifstream in(BookshopSet() / relative, std::ios::binary);
    EXPECT_TRUE(in.is_open()) << "examples/bookshop has no " << relative;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  // The fresh-install schema of a bookshop release for this test's engine.
  std::string BookshopSchema(const std::string& release) const {
    std::string own = "schema/" + release + (is_sqlite() ? ".sqlite.sql" : ".postgresql.sql");
    return BookshopFile(
        std::filesystem::exists(BookshopSet() / own) ? own : "schema/" + release + ".sql");
  }

  // Makes the test's set a copy of examples/bookshop, to change at will.
  void CopyBookshop() {
    std::filesystem::remove_all(set_dir());
    std::filesystem::copy(BookshopSet(), set_dir(), std::filesystem::copy_options::recursive);
    std::filesystem::remove(set_dir() / "bookshop.db");
  }

  // Runs ratchet `command` with `args`, then the scratch arguments.
  RunResult RatchetWithScratch(const std::string& command, std::vector<std::string> args = {}) {
    std::vector<std::string> scratch = ScratchArgs();
    args.insert(args.end(), scratch.begin(), scratch.end());
    return Ratchet(command, args);
  }
};

}  // namespace ratchet::testing

#endif  // RATCHET_TESTS_SNAPSHOT_CHECKS_FIXTURE_H_
