// Version parsing and numeric ordering.
#include "ratchet/version.h"

#include <algorithm>
#include <vector>

#include <gtest/gtest.h>

namespace ratchet {
namespace {

TEST(Version, OrdersNumericallyWithMinorsBetweenMajors) {
  std::vector<Version> versions;
  for (const char* text : {"V10", "V2.1", "V3", "V2", "V9", "V2.10", "V2.2", "V1"}) {
    versions.push_back(*Version::Parse(text));
  }
  std::sort(versions.begin(), versions.end());
  std::vector<std::string> names;
  for (const Version& v : versions) names.push_back(v.ToString());
  EXPECT_EQ(names, (std::vector<std::string>{"V1", "V2", "V2.1", "V2.2", "V2.10", "V3", "V9",
                                             "V10"}));
}

TEST(Version, ParsesWithAndWithoutPrefix) {
  EXPECT_EQ(Version::Parse("v4")->ToString(), "V4");
  EXPECT_EQ(Version::Parse("2.1")->ToString(), "V2.1");
  EXPECT_FALSE(Version::Parse("V"));
  EXPECT_FALSE(Version::Parse("V2."));
  EXPECT_FALSE(Version::Parse("V2.x"));
  EXPECT_FALSE(Version::Parse("V-1"));
  EXPECT_FALSE(Version::Parse("V1234567890"));
}

}  // namespace
}  // namespace ratchet
