// Item checksums ignore formatting and comments but see every change to what
// runs; ParseDuration reads the durations directives and ratchet.toml use.
#include "set/checksum.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <string>

#include "ratchet/upgrade_set.h"
#include "unit/set_fixture.h"
#include "util/sha256.h"

namespace ratchet {
namespace {

const std::string kBase =
    "-- ratchet: requires V1\n"
    "CREATE TABLE books (\n"
    "  id integer PRIMARY KEY,\n"
    "  title text NOT NULL DEFAULT 'no title'\n"
    ");\n"
    "INSERT INTO books (id, title) VALUES (1, 'War and Peace');\n";

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "'" << from << "' not in the test text";
  if (at != std::string::npos) text.replace(at, from.size(), to);
  return text;
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(ItemChecksum, IsLowerCaseHexSha256) {
  std::string sum = ItemChecksum(kBase);
  ASSERT_EQ(sum.size(), 64u);
  EXPECT_EQ(sum.find_first_not_of("0123456789abcdef"), std::string::npos) << sum;
  EXPECT_EQ(sum, ItemChecksum(kBase));
}

// Databases hold the checksums earlier versions recorded: the canonical form
// and its digest must never change, or every applied item would read as drift.
TEST(ItemChecksum, MatchesWhatEarlierVersionsRecorded) {
  const std::pair<std::string, std::string> kRecorded[] = {
      {kBase, "d40eec5fb2470abcecdfa360285146c4c7f3b93792498f14cc3747e5b1f4ead0"},
      {"SELECT a/* x */b FROM t;",
       "191892711d80f38dbfba1a266ab16b678b66112e31c67a3713f5e5f4628d689a"},
      {"-- ratchet: check\nSELECT 1;\n-- ratchet: finalize\nCREATE TABLE t (a int);\n",
       "c426cb58314efce4948212ca710320d467a37c067a5aae391fe21ffc62e33e34"},
      {"CREATE FUNCTION f() RETURNS text AS $$ SELECT 'a  b' $$ LANGUAGE sql; -- trailing\n",
       "bea3b545c4d0a02d91fd3e6ace61be9d0059cab4b54f54baa8e31e1559c6912b"},
      {"--   RATCHET :  requires\tV1  \r\nSELECT E'it\\'s'  ,  \"x  y\" FROM [a b];\n",
       "15142e4bd904753b3481b9d20809fa156d818463366e855cc79db48de5a27d61"},
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"SELECT '\xc3\xa9'  AS  \xc3\xa4;\n",
       "95fc59d5795bce1bc392444efcb2cefcbe806d147ec15863d7e1090ce0337588"},
  };
  for (const auto& [content, checksum] : kRecorded) {
    EXPECT_EQ(ItemChecksum(content), checksum) << content;
  }
}

TEST(ItemChecksum, IgnoresReindenting) {
  std::string reindented = ReplaceAll(kBase, "\n  ", "\n\t\t");
  reindented = Replace(reindented, "CREATE TABLE books (", "CREATE   TABLE\tbooks(");
  EXPECT_EQ(ItemChecksum(reindented), ItemChecksum(kBase));
}

TEST(ItemChecksum, IgnoresBlankLines) {
  std::string spaced = "\n\n" + ReplaceAll(kBase, ";\n", ";\n\n\n");
  EXPECT_EQ(ItemChecksum(spaced), ItemChecksum(kBase));
}

TEST(ItemChecksum, IgnoresTrailingSpaces) {
  std::string trailing = ReplaceAll(kBase, "\n", "   \t\n");
  EXPECT_EQ(ItemChecksum(trailing), ItemChecksum(kBase));
}

TEST(ItemChecksum, IgnoresCrlfLineEndings) {
  EXPECT_EQ(ItemChecksum(ReplaceAll(kBase, "\n", "\r\n")), ItemChecksum(kBase));
}

TEST(ItemChecksum, IgnoresAddedAndEditedLineComments) {
  std::string commented =
      "-- Books: the first table.\n" +
      Replace(kBase, "id integer PRIMARY KEY,", "id integer PRIMARY KEY, -- it's the key");
  EXPECT_EQ(ItemChecksum(commented), ItemChecksum(kBase));
  std::string edited =
      Replace(commented, "-- Books: the first table.", "-- Books, edited; 'quoted'");
  EXPECT_EQ(ItemChecksum(edited), ItemChecksum(kBase));
}

TEST(ItemChecksum, IgnoresAddedAndEditedBlockComments) {
  std::string commented = Replace(kBase, "title text", "title /* the name */ text");
  commented = "/* header\n   spanning lines */\n" + commented;
  EXPECT_EQ(ItemChecksum(commented), ItemChecksum(kBase));
  EXPECT_EQ(ItemChecksum(Replace(commented, "the name", "its name, 'quoted' -- x")),
            ItemChecksum(kBase));
}

TEST(ItemChecksum, ChangesWithAnyEditInsideStringLiteral) {
  EXPECT_NE(ItemChecksum(Replace(kBase, "'War and Peace'", "'War and Peace!'")),
            ItemChecksum(kBase));
  EXPECT_NE(ItemChecksum(Replace(kBase, "'War and Peace'", "'War  and Peace'")),
            ItemChecksum(kBase));
  EXPECT_NE(ItemChecksum(Replace(kBase, "'War and Peace'", "' War and Peace'")),
            ItemChecksum(kBase));
  EXPECT_NE(ItemChecksum(Replace(kBase, "'War and Peace'", "'War and\nPeace'")),
            ItemChecksum(kBase));
}

TEST(ItemChecksum, KeepsCommentMarkersInsideStringsAsText) {
  EXPECT_NE(ItemChecksum("SELECT '-- a';"), ItemChecksum("SELECT '-- b';"));
  EXPECT_NE(ItemChecksum("SELECT '/* a */';"), ItemChecksum("SELECT '/* b */';"));
}

TEST(ItemChecksum, ChangesWithWhitespaceInsideDollarQuotedBody) {
  EXPECT_NE(ItemChecksum("CREATE FUNCTION f() RETURNS text AS $$ SELECT 'a  b' $$ LANGUAGE sql;"),
            ItemChecksum("CREATE FUNCTION f() RETURNS text AS $$ SELECT 'a b' $$ LANGUAGE sql;"));
  EXPECT_NE(ItemChecksum("DO $body$ BEGIN   NULL; END $body$;"),
            ItemChecksum("DO $body$ BEGIN NULL; END $body$;"));
}

TEST(ItemChecksum, ChangesWithWhitespaceInsideQuotedIdentifier) {
  EXPECT_NE(ItemChecksum("CREATE TABLE \"my  books\" (a int);"),
            ItemChecksum("CREATE TABLE \"my books\" (a int);"));
}

TEST(ItemChecksum, ChangesWithWhitespaceInsideBracketIdentifier) {
  EXPECT_NE(ItemChecksum("CREATE TABLE [my  books] (a int);"),
            ItemChecksum("CREATE TABLE [my books] (a int);"));
}

TEST(ItemChecksum, ChangesWithIdentifier) {
  EXPECT_NE(ItemChecksum(Replace(kBase, "title text", "name text")), ItemChecksum(kBase));
  EXPECT_NE(ItemChecksum(Replace(kBase, "CREATE TABLE books", "CREATE TABLE Books")),
            ItemChecksum(kBase));
}

TEST(ItemChecksum, ChangesWhenTwoWordsAreJoined) {
  EXPECT_NE(ItemChecksum("SELECT a b FROM t;"), ItemChecksum("SELECT ab FROM t;"));
  EXPECT_NE(ItemChecksum(Replace(kBase, "NOT NULL", "NOTNULL")), ItemChecksum(kBase));
}

TEST(ItemChecksum, TreatsCommentBetweenWordsAsSeparator) {
  EXPECT_EQ(ItemChecksum("SELECT a/* x */b FROM t;"), ItemChecksum("SELECT a b FROM t;"));
  EXPECT_EQ(ItemChecksum("SELECT a -- x\nb FROM t;"), ItemChecksum("SELECT a b FROM t;"));
}

TEST(ItemChecksum, ChangesWhenDirectiveIsAddedOrRemoved) {
  EXPECT_NE(ItemChecksum("-- ratchet: optional\n" + kBase), ItemChecksum(kBase));
  EXPECT_NE(ItemChecksum(Replace(kBase, "-- ratchet: requires V1\n", "")), ItemChecksum(kBase));
  EXPECT_NE(ItemChecksum(Replace(kBase, "requires V1", "requires V2")), ItemChecksum(kBase));
}

TEST(ItemChecksum, ChangesWhenSectionMarkerIsAdded) {
  std::string plain = "CREATE TABLE a (x int);\nCREATE TABLE b (y int);\n";
  std::string split =
      "-- ratchet: prepare\nCREATE TABLE a (x int);\n-- ratchet: finalize\nCREATE TABLE b (y "
      "int);\n";
  EXPECT_NE(ItemChecksum(split), ItemChecksum(plain));
}

TEST(ItemChecksum, IgnoresExtraSpacesInsideDirective) {
  EXPECT_EQ(
      ItemChecksum(Replace(kBase, "-- ratchet: requires V1", "--   ratchet:  requires\tV1  ")),
      ItemChecksum(kBase));
}

TEST(ItemChecksum, IgnoresDirectiveWrittenWithoutSpaces) {
  EXPECT_EQ(ItemChecksum(Replace(kBase, "-- ratchet: requires V1", "--ratchet:requires V1")),
            ItemChecksum(kBase));
}

TEST(ItemChecksum, IgnoresEditedTrailingCommentThatLooksLikeDirective) {
  EXPECT_EQ(ItemChecksum("CREATE TABLE t (a int); -- ratchet: optional, maybe\n"),
            ItemChecksum("CREATE TABLE t (a int); -- ratchet: see ticket 12\n"));
}

TEST(ItemChecksum, MatchesChecksumOfLoadedItem) {
  testing::TempSet set;
  set.Item("V1__0__books.sql", "CREATE TABLE a (x int);\n");
  set.Item("V2__0__more_books.sql", kBase);
  Result<UpgradeSet> loaded = set.Load();
  ASSERT_TRUE(loaded.ok()) << loaded.status().message();
  EXPECT_EQ(testing::FindItem(*loaded, "V2")->checksum, ItemChecksum(kBase));
}

TEST(ParseDuration, ReadsEachUnit) {
  using std::chrono::milliseconds;
  EXPECT_EQ(ParseDuration("5s"), milliseconds(5000));
  EXPECT_EQ(ParseDuration("250ms"), milliseconds(250));
  EXPECT_EQ(ParseDuration("10min"), milliseconds(600000));
  EXPECT_EQ(ParseDuration("2h"), milliseconds(7200000));
  EXPECT_EQ(ParseDuration("0"), milliseconds(0));
  EXPECT_EQ(ParseDuration("1.5s"), milliseconds(1500));
}

TEST(ParseDuration, RejectsMalformedDurations) {
  EXPECT_EQ(ParseDuration(""), std::nullopt);
  EXPECT_EQ(ParseDuration("5"), std::nullopt);
  EXPECT_EQ(ParseDuration("5 parsecs"), std::nullopt);
  EXPECT_EQ(ParseDuration("-1s"), std::nullopt);
  EXPECT_EQ(ParseDuration("s"), std::nullopt);
  EXPECT_EQ(ParseDuration("5s5"), std::nullopt);
}

// What SQLite runs after a block comment that PostgreSQL would read as
// nested is part of the checksum, so editing it is drift.
TEST(ItemChecksum, CoversWhatSqliteRunsAfterANestedLookingComment) {
  const std::string hidden =
      "CREATE TABLE t (a int);\n/* /* */ CREATE TABLE hidden (y int); -- */\n";
  const std::string edited =
      "CREATE TABLE t (a int);\n/* /* */ CREATE TABLE hidden (z int); -- */\n";
  EXPECT_NE(ItemChecksum(hidden), ItemChecksum(edited));
  EXPECT_NE(ItemChecksum(hidden, "sqlite"), ItemChecksum(edited, "sqlite"));
  // PostgreSQL runs none of it: for a PostgreSQL-only file the edit is a
  // comment edit, as it always was.
  EXPECT_EQ(ItemChecksum(hidden, "postgresql"), ItemChecksum(edited, "postgresql"));
}

TEST(ItemChecksum, CoversWhatPostgresRunsAfterACommentInsideASubscript) {
  const std::string base = "SELECT (ARRAY[1,2])[1 -- ] /*\n];\nCREATE TABLE hidden (y int);\n";
  const std::string edited = "SELECT (ARRAY[1,2])[1 -- ] /*\n];\nCREATE TABLE hidden (z int);\n";
  EXPECT_NE(ItemChecksum(base), ItemChecksum(edited));
  EXPECT_NE(ItemChecksum(base, "postgresql"), ItemChecksum(edited, "postgresql"));
}

// A string PostgreSQL opens inside what the union reading takes for a
// [bracketed] name runs on past it, over a line the union reading drops.
TEST(ItemChecksum, CoversAStringThatStartsInsideBrackets) {
  const std::string base = "SELECT [ ' ] -- ' ; CREATE TABLE hidden (y int); -- '\n";
  const std::string edited = "SELECT [ ' ] -- ' ; CREATE TABLE hidden (z int); -- '\n";
  EXPECT_NE(ItemChecksum(base, "postgresql"), ItemChecksum(edited, "postgresql"));
  EXPECT_NE(ItemChecksum(base), ItemChecksum(edited));
}

// For random scripts, changing any letter an engine executes (code or a
// string, as that engine reads the text) changes the checksum of a file
// for that engine and of a file for every engine.
TEST(ItemChecksum, ChangesWithEveryExecutedLetterOfRandomScripts) {
  const char* const kPieces[] = {"SELECT a", ";", " ", "\n",  "/*", "*/",    "--", "'", "\"",
                                 "[",        "]", "`", "$x$", "$$", "E'\\'", "b",  "(", ")"};
  uint32_t seed = 777;
  auto next = [&] { return (seed = seed * 1103515245u + 12345u) >> 8; };
  const std::pair<const char*, SqlDialect> kEngines[] = {{"postgresql", SqlDialect::kPostgres},
                                                         {"sqlite", SqlDialect::kSqlite}};
  int mutations = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string script;
    int pieces = 1 + static_cast<int>(next() % 14);
    for (int k = 0; k < pieces; ++k)
      script += kPieces[next() % (sizeof(kPieces) / sizeof(*kPieces))];
    for (const auto& [engine, dialect] : kEngines) {
      std::vector<size_t> letters;
      ScanSql(
          script,
          [&](SqlSegment kind, size_t begin, size_t end) {
            if (kind != SqlSegment::kCode && kind != SqlSegment::kQuoted) return;
            for (size_t k = begin; k < end; ++k) {
              if (script[k] == 'a' || script[k] == 'b') letters.push_back(k);
            }
          },
          dialect);
      for (size_t k : letters) {
        std::string changed = script;
        changed[k] = 'c';
        EXPECT_NE(ItemChecksum(script, engine), ItemChecksum(changed, engine))
            << engine << " runs byte " << k << " of: " << script;
        EXPECT_NE(ItemChecksum(script), ItemChecksum(changed))
            << engine << " runs byte " << k << " of: " << script;
        ++mutations;
      }
    }
  }
  EXPECT_GT(mutations, 1000);
}

// Files that every engine reads alike keep the checksum earlier versions
// recorded, whatever their brackets and dollar quotes.
TEST(ItemChecksum, UnchangedWhereEveryEngineReadsTheFileAlike) {
  for (const char* content : {"SELECT a[1, 2] FROM t; -- [note\n",
                              "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ "
                              "LANGUAGE sql;\n",
                              "/* one */ CREATE TABLE `t` ([a b] int);\n"}) {
    ChecksumBuilder builder(content);
    ScanSql(content,
            [&](SqlSegment kind, size_t begin, size_t end) { builder.Add(kind, begin, end); });
    EXPECT_EQ(ItemChecksum(content), Sha256Hex(builder.TakeCanonical())) << content;
  }
}

}  // namespace
}  // namespace ratchet
