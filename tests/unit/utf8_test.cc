// FindInvalidUtf8: the offset of the first byte that is not valid UTF-8,
// wherever it falls relative to the eight-byte ASCII skip.
#include <string>

#include <gtest/gtest.h>

#include "set/item_file.h"

namespace ratchet {
namespace {

TEST(FindInvalidUtf8, ValidTextHasNoInvalidByte) {
  EXPECT_EQ(FindInvalidUtf8(""), std::string::npos);
  EXPECT_EQ(FindInvalidUtf8("CREATE TABLE t (a int); -- plain ASCII over eight bytes\n"),
            std::string::npos);
  EXPECT_EQ(FindInvalidUtf8("INSERT INTO t VALUES ('caf\xc3\xa9', '\xe2\x82\xac', '\xf0\x9f\x98\x80');"),
            std::string::npos);
}

TEST(FindInvalidUtf8, NamesTheFirstBadByteAtEveryOffset) {
  for (size_t at = 0; at < 24; ++at) {
    std::string text(32, 'a');
    text[at] = '\xff';
    EXPECT_EQ(FindInvalidUtf8(text), at) << "bad byte at " << at;
    std::string truncated(at, 'b');
    truncated += "\xe2\x82";  // a three-byte sequence cut short by the end
    EXPECT_EQ(FindInvalidUtf8(truncated), at) << "truncated sequence at " << at;
  }
}

TEST(FindInvalidUtf8, RefusesOverlongAndSurrogateSequences) {
  EXPECT_EQ(FindInvalidUtf8("abcdefgh\xc0\xaf"), 8u);
  EXPECT_EQ(FindInvalidUtf8("abcdefghij\xe0\x80\xaf"), 10u);
  EXPECT_EQ(FindInvalidUtf8("abc\xed\xa0\x80"), 3u);
  EXPECT_EQ(FindInvalidUtf8("abcdefgh12345678\xf4\x90\x80\x80"), 16u);
}

}  // namespace
}  // namespace ratchet
