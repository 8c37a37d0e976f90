// The fault-point mechanism itself: every point in the code is listed and
// documented, a bad RATCHET_FAULT is refused, and with the variables unset
// the points do nothing and cost nothing measurable.
#include "util/fault.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "ratchet/faults.h"
#include "support/harness.h"
#include "support/image.h"

namespace ratchet::testing {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string ReadText(const fs::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The names used in RATCHET_FAULT_POINT("...") across src/ and tools/.
std::set<std::string> PointsUsedInSource() {
  std::set<std::string> used;
  const std::regex use(R"re(RATCHET_FAULT_POINT\("([^"]+)"\))re");
  for (const char* tree : {"src", "tools"}) {
    for (const auto& entry :
         fs::recursive_directory_iterator(fs::path(RATCHET_SOURCE_DIR) / tree)) {
      if (!entry.is_regular_file()) continue;
      std::string ext = entry.path().extension().string();
      if (ext != ".cc" && ext != ".h") continue;
      std::string text = ReadText(entry.path());
      for (std::sregex_iterator it(text.begin(), text.end(), use), end; it != end; ++it) {
        used.insert((*it)[1].str());
      }
    }
  }
  return used;
}

TEST(FaultPoints, EveryPointInTheCodeIsListedUsedAndDocumented) {
  std::set<std::string> listed;
  for (const fault::PointInfo& p : fault::Points()) {
    EXPECT_TRUE(listed.insert(std::string(p.name)).second) << "listed twice: " << p.name;
    EXPECT_FALSE(p.where.empty()) << p.name;
  }
  std::set<std::string> used = PointsUsedInSource();
  ASSERT_FALSE(used.empty());
  EXPECT_EQ(used, listed) << "RATCHET_FAULT_POINT uses and fault::Points() differ";
  std::string doc = ReadText(fs::path(RATCHET_SOURCE_DIR) / "docs" / "FAULTS.md");
  for (const std::string& name : listed) {
    EXPECT_THAT(doc, HasSubstr("| `" + name + "` |")) << name << " is not in docs/FAULTS.md";
  }
}

TEST(FaultPoints, DoNothingWhenTheVariablesAreUnset) {
  if (std::getenv("RATCHET_FAULT") != nullptr || std::getenv("RATCHET_FAULT_TRACE") != nullptr) {
    GTEST_SKIP() << "RATCHET_FAULT or RATCHET_FAULT_TRACE is set for the test binary";
  }
  EXPECT_FALSE(fault::Armed());
  EXPECT_EQ(FaultConfigError(), "");
  // Ten million passes through a point named in RATCHET_FAULT would stop the
  // process at the first; unset, every one returns. (What a disarmed point
  // costs is measured in bench/, not asserted here: timings are not stable
  // on a shared machine.)
  constexpr int kPasses = 10'000'000;
  volatile int sink = 0;
  for (int i = 0; i < kPasses; ++i) {
    RATCHET_FAULT_POINT("commit.before");
    sink = sink + 1;
  }
  EXPECT_EQ(sink, kPasses);
}

TEST(FaultPoints, UnsetVariableAndAPassNeverReachedLeaveARunAsItWas) {
  ScratchDir dir;
  const std::string set = BookshopSet().string();
  const std::string plain = "sqlite:" + (dir.path() / "plain.db").string();
  const std::string armed = "sqlite:" + (dir.path() / "armed.db").string();
  const fs::path trace = dir.path() / "trace";
  RunResult a = RunRatchet({"upgrade", "--set", set, "--db", plain});
  ASSERT_EQ(a.exit_code, 0) << a.all();
  EXPECT_FALSE(fs::exists(trace));
  RunResult b =
      RunRatchet({"upgrade", "--set", set, "--db", armed},
                 {"RATCHET_FAULT=commit.before:100000", "RATCHET_FAULT_TRACE=" + trace.string()});
  ASSERT_EQ(b.exit_code, 0) << b.all();
  DatabaseImage expected = TakeImage(plain), actual = TakeImage(armed);
  EXPECT_EQ(expected, actual) << DescribeDifference(expected, actual);
  EXPECT_EQ(actual.items.size(), 12u);
  // The armed run counted every pass, 1, 2, ... n, and passed them all:
  // its pass 100000 was never reached.
  std::vector<long> commits;
  std::istringstream lines(ReadText(trace));
  std::string point;
  for (long n = 0; lines >> point >> n;) {
    if (point == "commit.before") commits.push_back(n);
  }
  ASSERT_GT(commits.size(), 1u);
  for (size_t k = 0; k < commits.size(); ++k) EXPECT_EQ(commits[k], static_cast<long>(k) + 1);
  // The count is the one a fault is armed with: the last pass stops a run.
  const long last = static_cast<long>(commits.size());
  const std::string again = "sqlite:" + (dir.path() / "again.db").string();
  RunResult stopped = RunRatchet({"upgrade", "--set", set, "--db", again},
                                 {"RATCHET_FAULT=commit.before:" + std::to_string(last)});
  EXPECT_EQ(stopped.exit_code, fault::kFaultExitCode) << stopped.all();
  EXPECT_THAT(stopped.err, HasSubstr("stopping at commit.before (pass " + std::to_string(last)));
}

TEST(FaultPoints, MalformedOrUnknownFaultIsRefusedBeforeAnythingRuns) {
  ScratchDir dir;
  const std::string db = "sqlite:" + (dir.path() / "shop.db").string();
  const std::string set = BookshopSet().string();
  RunResult unknown =
      RunRatchet({"upgrade", "--set", set, "--db", db}, {"RATCHET_FAULT=commit.befor:2"});
  EXPECT_EQ(unknown.exit_code, 2) << unknown.all();
  EXPECT_THAT(unknown.err, HasSubstr("there is no fault point 'commit.befor'"));
  EXPECT_THAT(unknown.err, HasSubstr("commit.before"));  // the list of points
  RunResult bad_pass =
      RunRatchet({"upgrade", "--set", set, "--db", db}, {"RATCHET_FAULT=commit.before:0"});
  EXPECT_EQ(bad_pass.exit_code, 2) << bad_pass.all();
  EXPECT_THAT(bad_pass.err, HasSubstr("'0' is not a pass number"));
  EXPECT_FALSE(fs::exists(dir.path() / "shop.db")) << "nothing may run after a refused fault";
}

TEST(FaultPoints, StopsAtTheChosenPassWithoutFlushingOrCleaningUp) {
  ScratchDir dir;
  const std::string db = "sqlite:" + (dir.path() / "shop.db").string();
  RunResult r = RunRatchet({"upgrade", "--set", BookshopSet().string(), "--db", db},
                           {"RATCHET_FAULT=commit.before:1"});
  EXPECT_EQ(r.exit_code, fault::kFaultExitCode) << r.all();
  EXPECT_THAT(r.err, HasSubstr("RATCHET_FAULT: stopping at commit.before (pass 1)"));
  // On SQLite the bookkeeping and the run's start share the first
  // transaction: it was open at its commit and left a hot journal behind.
  EXPECT_TRUE(fs::exists(dir.path() / "shop.db-journal"));
  // Output still buffered when the process stopped is lost, as after kill -9:
  // the "Upgrading ..." line never reached the file.
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace ratchet::testing
