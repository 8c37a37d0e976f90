// `ratchet baseline --detect` on SQLite and PostgreSQL: a database built from
// a release's fresh schema is recognised as that release, one that differs
// is shown its closest release and the differences, and nothing is written.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "snapshot/checks_fixture.h"

namespace ratchet::testing {
namespace {

using ::testing::HasSubstr;

class Detect : public ChecksTest {
 protected:
  // Builds the test's database from the bookshop's fresh schema of
  // `release`, runs --detect, then the baseline command it offers.
  void DetectsRelease(const std::string& release) {
    CopyBookshop();
    Load(BookshopSchema(release));
    RunResult r = Ratchet("baseline", {"--detect"});  // scratch databases on the --db server
    ASSERT_EQ(r.exit_code, 0) << r.all();
    EXPECT_THAT(r.out, HasSubstr("matches the fresh install of release " + release + " exactly"));
    EXPECT_THAT(r.out, HasSubstr("Next: mark its items applied with: ratchet baseline "));
    EXPECT_THAT(r.out, HasSubstr("--release " + release + "\n"));
    EXPECT_FALSE(Open()->HasBookkeeping().value()) << "--detect wrote bookkeeping";

    RunResult marked = Ratchet("baseline", {"--release", release});
    ASSERT_EQ(marked.exit_code, 0) << marked.all();
    RunResult upgraded = Ratchet("upgrade");
    ASSERT_EQ(upgraded.exit_code, 0) << upgraded.all();
    EXPECT_THAT(upgraded.out, HasSubstr("3.0"));
  }
};
RATCHET_ALL_ENGINES(Detect);

TEST_P(Detect, ADatabaseBuiltFromRelease10IsRelease10) { DetectsRelease("1.0"); }
TEST_P(Detect, ADatabaseBuiltFromRelease11IsRelease11) { DetectsRelease("1.1"); }
TEST_P(Detect, ADatabaseBuiltFromRelease20IsRelease20) { DetectsRelease("2.0"); }
TEST_P(Detect, ADatabaseBuiltFromRelease30IsRelease30) { DetectsRelease("3.0"); }

TEST_P(Detect, ADatabaseThatMatchesNoReleaseIsShownTheClosestAndTheDifferences) {
  CopyBookshop();
  Load(BookshopSchema("1.1") + "\nALTER TABLE books ADD COLUMN shelf TEXT;\n");
  RunResult r = Ratchet("baseline", {"--detect"});  // scratch databases on the --db server
  EXPECT_EQ(r.exit_code, 3) << r.all();
  EXPECT_THAT(r.out, HasSubstr("matches no release exactly; the closest is 1.1 with 2 "
                               "difference(s)"));
  EXPECT_THAT(r.out, HasSubstr("column books.shelf: only in the database"));
  EXPECT_THAT(r.out, HasSubstr("table books: column order id, author_id, title, price_cents, "
                               "isbn → id, author_id, title, price_cents, isbn, shelf"));
  EXPECT_THAT(r.out, HasSubstr("release 1.0: "));
  EXPECT_THAT(r.out, HasSubstr("--release 1.1\n"));
  EXPECT_FALSE(Open()->HasBookkeeping().value());
}

TEST_P(Detect, BaselineNeedsEitherReleaseOrDetect) {
  CopyBookshop();
  EXPECT_EQ(Ratchet("baseline").exit_code, 2);
  RunResult both = Ratchet("baseline", {"--release", "1.0", "--detect"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_THAT(both.err, HasSubstr("either --release"));
}

}  // namespace
}  // namespace ratchet::testing
