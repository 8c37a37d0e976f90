// docs/LIBRARY.md shows examples/embedded/guestbook.cc as its complete
// program: the copy in the document is the file the tests build and run.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

namespace {

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << "cannot read " << path;
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

TEST(LibraryDoc, ShowsTheGuestbookExactlyAsTheTestsBuildIt) {
  const std::filesystem::path root = RATCHET_SOURCE_DIR;
  std::string doc = ReadText(root / "docs/LIBRARY.md");
  std::string source = ReadText(root / "examples/embedded/guestbook.cc");
  const std::string marker = "<!-- examples/embedded/guestbook.cc -->\n```cpp\n";
  size_t begin = doc.find(marker);
  ASSERT_NE(begin, std::string::npos) << "docs/LIBRARY.md lost the marker before the program";
  begin += marker.size();
  size_t end = doc.find("```\n", begin);
  ASSERT_NE(end, std::string::npos);
  EXPECT_EQ(doc.substr(begin, end - begin), source)
      << "docs/LIBRARY.md and examples/embedded/guestbook.cc differ: copy the file into the "
         "document after the marker";
}

}  // namespace
