// A fresh, uniquely named PostgreSQL database per test, on the server that
// scripts/pg-test-server.sh started (RATCHET_TEST_PG).
#ifndef RATCHET_TESTS_POSTGRES_PG_TEST_DATABASE_H_
#define RATCHET_TESTS_POSTGRES_PG_TEST_DATABASE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/postgres/postgres_connection.h"
#include "ratchet/engine.h"

namespace ratchet::postgres {

// Test fixture: SetUp creates database `name()` and TearDown drops it. Skips
// the test when RATCHET_TEST_PG is unset, unless RATCHET_REQUIRE_PG=1.
class PostgresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* admin = std::getenv("RATCHET_TEST_PG");
    if (admin == nullptr || *admin == '\0') {
      const char* require = std::getenv("RATCHET_REQUIRE_PG");
      if (require != nullptr && std::string(require) == "1") {
        FAIL() << "RATCHET_TEST_PG is not set; start a server with "
                  "eval \"$(scripts/pg-test-server.sh start /tmp/ratchet-pg)\"";
      }
      GTEST_SKIP() << "RATCHET_TEST_PG is not set";
    }
    admin_conninfo_ = admin;
    static std::atomic<int> counter{0};
    name_ = "ratchet_test_" + std::to_string(getpid()) + "_" + std::to_string(counter++);
    admin_ = MustConnect(admin_conninfo_);
    ASSERT_NE(admin_, nullptr);
    Status created = admin_->Execute("CREATE DATABASE " + name_);
    ASSERT_TRUE(created.ok()) << created.message();
    created_ = true;
  }

  void TearDown() override {
    if (created_ && admin_ != nullptr) {
      Status dropped = admin_->Execute("DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
      EXPECT_TRUE(dropped.ok()) << dropped.message();
    }
  }

  // A keyword conninfo for the test's database.
  std::string conninfo() const { return admin_conninfo_ + " dbname=" + name_; }
  const std::string& name() const { return name_; }

  static std::string Env(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr ? value : "";
  }

  // Opens a connection to the test's database, failing the test if it cannot.
  std::unique_ptr<Connection> Open(const ConnectOptions& options = {}) {
    return MustConnect(conninfo(), options);
  }

  static Result<std::unique_ptr<Connection>> TryConnect(const std::string& conninfo,
                                                        const ConnectOptions& options = {}) {
    Target target;
    target.kind = EngineKind::kPostgres;
    target.conninfo = conninfo;
    target.display = DisplayName(conninfo);
    return postgres::Connect(target, options);
  }

  static std::unique_ptr<Connection> MustConnect(const std::string& conninfo,
                                                 const ConnectOptions& options = {}) {
    Result<std::unique_ptr<Connection>> conn = TryConnect(conninfo, options);
    EXPECT_TRUE(conn.ok()) << conn.status().message();
    if (!conn.ok()) return nullptr;
    return std::move(conn).value();
  }

  // The single value `sql` returns on `conn`, or "<error: ...>" / "<null>".
  static std::string Scalar(Connection& conn, const std::string& sql,
                            const std::vector<Value>& params = {}) {
    Result<QueryResult> result = conn.Query(sql, params);
    if (!result.ok()) return "<error: " + result.status().message() + ">";
    if (result->rows.empty() || result->rows[0].empty()) return "<no rows>";
    return result->rows[0][0].value_or("<null>");
  }

 private:
  std::string admin_conninfo_;
  std::string name_;
  std::unique_ptr<Connection> admin_;
  bool created_ = false;
};

}  // namespace ratchet::postgres

#endif  // RATCHET_TESTS_POSTGRES_PG_TEST_DATABASE_H_
