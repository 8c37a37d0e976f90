// A throwaway upgrade set on disk for unit tests: a fresh temporary directory
// with ratchet.toml and items/, removed when the test ends.
#ifndef RATCHET_TESTS_UNIT_SET_FIXTURE_H_
#define RATCHET_TESTS_UNIT_SET_FIXTURE_H_

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

#include "ratchet/upgrade_set.h"

namespace ratchet::testing {

// A set directory unique to this process and test. By default it holds a
// minimal ratchet.toml and an empty items/.
class TempSet {
 public:
  TempSet() {
    static std::atomic<int> counter{0};
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "set";
    dir_ = std::filesystem::temp_directory_path() / ("ratchet-unit-" + std::to_string(::getpid()) +
                                                     "-" + std::to_string(counter++) + "-" + name);
    std::filesystem::remove_all(dir_);
    std::error_code ec;
    std::filesystem::create_directories(dir_ / "items", ec);
    EXPECT_FALSE(ec) << "cannot create " << dir_ / "items"
                     << ": " << ec.message();
    Toml("[project]\nname = \"shop\"\n");
  }
  ~TempSet() {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  TempSet(const TempSet&) = delete;
  TempSet& operator=(const TempSet&) = delete;

  const std::filesystem::path& dir() const { return dir_; }

  // Replaces ratchet.toml with `text`.
  void Toml(std::string_view text) { Write(dir_ / "ratchet.toml", text); }
  // Writes items/<file_name> with `text`, verbatim (no newline added).
  void Item(std::string_view file_name, std::string_view text) {
    Write(dir_ / "items" / std::string(file_name), text);
  }

  Result<UpgradeSet> Load(const LoadOptions& options = {}) const {
    return LoadUpgradeSet(dir_, options);
  }

  static void Write(const std::filesystem::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    ASSERT_TRUE(out.good()) << "cannot write " << path;
  }
  static std::string Read(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in.is_open()) << "cannot read " << path;
    std::ostringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
  }

 private:
  std::filesystem::path dir_;
};

// Returns the item of `version` in `set` for `engine` ("" for the generic
// file), or nullptr.
inline const ratchet::Item* FindItem(const UpgradeSet& set, std::string_view version,
                                     std::string_view engine = "") {
  auto v = Version::Parse(version);
  for (const ratchet::Item& item : set.items) {
    if (v && item.version == *v && item.engine == engine) return &item;
  }
  return nullptr;
}

// For EXPECT_CONTAINS: succeeds when `needle` occurs in `text`, else prints both.
inline ::testing::AssertionResult ContainsText(const char* text_expr, const char* needle_expr,
                                               const std::string& text, const std::string& needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << text_expr << " does not contain " << needle_expr
                                       << "\n  text:   " << text << "\n  wanted: " << needle;
}

}  // namespace ratchet::testing

#define EXPECT_CONTAINS(text, needle) \
  EXPECT_PRED_FORMAT2(::ratchet::testing::ContainsText, text, needle)

#endif  // RATCHET_TESTS_UNIT_SET_FIXTURE_H_
