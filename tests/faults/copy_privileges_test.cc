// copy-upgrade run by a user that may not finish it is refused before
// anything changes, naming each missing privilege; once granted, it works.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "support/harness.h"

namespace ratchet::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::Not;

class PostgresCopyPrivileges : public EngineTest {};
INSTANTIATE_TEST_SUITE_P(Engines, PostgresCopyPrivileges, ::testing::Values(EngineKind::kPostgres),
                         [](const auto&) { return std::string("Postgres"); });

// The databases whose name starts with `name`, with whether they take
// connections: "shop:true" when nothing of a copy is left.
std::string DatabasesLike(Connection& admin, const std::string& name) {
  auto rows = admin.Query(
      "SELECT string_agg(datname || ':' || datallowconn, ',' ORDER BY datname) FROM pg_database "
      "WHERE datname LIKE $1",
      {name + "%"});
  return rows.ok() ? rows->rows[0][0].value_or("") : "query failed: " + rows.status().message();
}

TEST_P(PostgresCopyPrivileges, AnOwnerWithoutCreatedbIsRefusedUpFrontAndWorksOnceGranted) {
  auto admin = AdminConnection();
  ASSERT_TRUE(admin);
  ASSERT_TRUE(admin
                  ->Execute("DO $$ BEGIN CREATE ROLE ratchet_copier LOGIN; EXCEPTION WHEN "
                            "duplicate_object THEN NULL; END $$")
                  .ok());
  ASSERT_TRUE(admin->Execute("ALTER ROLE ratchet_copier NOCREATEDB NOSUPERUSER").ok());
  ASSERT_TRUE(
      admin->Execute("REVOKE SET ON PARAMETER ratchet.copy_upgrade FROM ratchet_copier").ok());
  const std::string db = ExtraDatabase();
  const std::string name = db.substr(db.rfind("dbname=") + 7);
  const std::string as_copier = db + " user=ratchet_copier";

  // The application's role owns the database and has run its upgrades.
  ASSERT_TRUE(admin->Execute("ALTER DATABASE " + name + " OWNER TO ratchet_copier").ok());
  RunResult first =
      RunRatchet({"upgrade", "--set", BookshopSet().string(), "--db", as_copier, "--to", "1.0"});
  ASSERT_EQ(first.exit_code, 0) << first.all();

  // Without CREATEDB it cannot make the copy, nor (PostgreSQL 15) mark the
  // database it closes: refused before anything changes, and --recover is
  // refused the same way rather than halfway.
  for (std::vector<std::string> extra : {std::vector<std::string>{}, {"--recover"}}) {
    std::vector<std::string> args = {"copy-upgrade", "--set", BookshopSet().string(), "--db",
                                     as_copier};
    args.insert(args.end(), extra.begin(), extra.end());
    RunResult r = RunRatchet(args);
    EXPECT_EQ(r.exit_code, 5) << r.all();
    EXPECT_THAT(r.err, HasSubstr("copy-upgrade cannot finish as role ratchet_copier"));
    EXPECT_THAT(r.err, HasSubstr("ALTER ROLE ratchet_copier CREATEDB"));
    EXPECT_THAT(r.err, HasSubstr("GRANT SET ON PARAMETER ratchet.copy_upgrade TO "
                                 "ratchet_copier"));
    EXPECT_THAT(r.err, Not(HasSubstr("ownership of database")));
    EXPECT_THAT(r.err, HasSubstr("Nothing was changed."));
    EXPECT_THAT(r.err, Not(HasSubstr("42501")));
  }
  EXPECT_EQ(DatabasesLike(*admin, name), name + ":true");

  // A role that does not own the database is told that too (the pre-check
  // would first stop it: it may not create in the public schema of a
  // database it does not own).
  WaitUntilIdle(db);
  ASSERT_TRUE(admin->Execute("ALTER DATABASE " + name + " OWNER TO CURRENT_USER").ok());
  RunResult not_owner = RunRatchet(
      {"copy-upgrade", "--set", BookshopSet().string(), "--db", as_copier, "--skip-check"});
  EXPECT_EQ(not_owner.exit_code, 5) << not_owner.all();
  EXPECT_THAT(not_owner.err, HasSubstr("ALTER ROLE ratchet_copier CREATEDB"));
  EXPECT_THAT(not_owner.err, HasSubstr("ownership of database " + name + " (its owner is "));
  EXPECT_EQ(DatabasesLike(*admin, name), name + ":true");
  WaitUntilIdle(db);
  ASSERT_TRUE(admin->Execute("ALTER DATABASE " + name + " OWNER TO ratchet_copier").ok());

  // Granted what it lacked, the owner's copy-upgrade goes through.
  ASSERT_TRUE(admin->Execute("ALTER ROLE ratchet_copier CREATEDB").ok());
  ASSERT_TRUE(admin->Execute("GRANT SET ON PARAMETER ratchet.copy_upgrade TO ratchet_copier").ok());
  RunResult r = RunRatchet({"copy-upgrade", "--set", BookshopSet().string(), "--db", as_copier});
  EXPECT_EQ(r.exit_code, 0) << r.all();
  EXPECT_EQ(DatabasesLike(*admin, name), name + ":true," + name + "_old:false");
  RunResult status = RunRatchet({"status", "--set", BookshopSet().string(), "--db", db, "--json"});
  auto upgraded = nlohmann::json::parse(status.out);
  EXPECT_TRUE(upgraded["pending"].empty()) << status.out;
  EXPECT_EQ(upgraded["status"], "active");
  ASSERT_TRUE(admin->Execute("ALTER ROLE ratchet_copier NOCREATEDB").ok());
  ASSERT_TRUE(
      admin->Execute("REVOKE SET ON PARAMETER ratchet.copy_upgrade FROM ratchet_copier").ok());
}

// SQLite: a user that cannot give the copy the file's owner is refused
// before anything changes (the upgraded file would change hands); as root
// ratchet runs as nobody on a root's file that everyone may write.
TEST(SqliteCopyPrivileges, AUserThatCannotKeepTheFilesOwnerIsRefusedUpFront) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root, to own a file another user runs ratchet on";
  ScratchDir dir;
  const fs::path folder = dir.path() / "data";
  fs::create_directories(folder);
  const fs::path file = folder / "shop.db";
  const std::string db = "sqlite:" + file.string();
  ASSERT_EQ(
      RunRatchet({"upgrade", "--set", BookshopSet().string(), "--db", db, "--to", "1.0"}).exit_code,
      0);
  ASSERT_EQ(chmod(dir.path().c_str(), 0755), 0);
  ASSERT_EQ(chmod(folder.c_str(), 0777), 0);
  ASSERT_EQ(chmod(file.c_str(), 0666), 0);
  RunResult r =
      RunCommand({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", RATCHET_BIN,
                  "copy-upgrade", "--set", BookshopSet().string(), "--db", db});
  EXPECT_EQ(r.exit_code, 5) << r.all();
  EXPECT_THAT(r.err, HasSubstr("copy-upgrade cannot finish as this user (uid 65534)"));
  EXPECT_THAT(r.err, HasSubstr("the file's owner (uid 0, gid 0)"));
  EXPECT_THAT(r.err, HasSubstr("Nothing was changed."));
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 1)
      << "only shop.db should be in the folder";
  RunResult status = RunRatchet({"status", "--set", BookshopSet().string(), "--db", db, "--json"});
  auto refused = nlohmann::json::parse(status.out);
  EXPECT_EQ(refused["release"], "1.0");
  EXPECT_TRUE(refused["copy_upgrade"].is_null()) << status.out;
}

}  // namespace
}  // namespace ratchet::testing
