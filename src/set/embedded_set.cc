// Loading an upgrade set compiled into the program: the entries stand for
// the files of the set's directory, and every step after reading them is the
// one LoadUpgradeSet takes.
#include "ratchet/embedded_set.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "set/item_file.h"
#include "set/load_steps.h"
#include "set/project_file.h"

namespace ratchet {
namespace {

constexpr std::string_view kItemsPrefix = "items/";

// Finds the entry at `path`, or nullptr.
const EmbeddedFile* FindEntry(const EmbeddedSet& embedded, std::string_view path) {
  for (size_t i = 0; i < embedded.file_count; ++i) {
    if (embedded.files[i].path == path) return &embedded.files[i];
  }
  return nullptr;
}

// The item entries directly under items/ (a directory there is one entry,
// whatever it holds), sorted by name as LoadUpgradeSet sorts the files it
// lists. Sets `*has_items` when items/ exists.
Status ListItemEntries(const EmbeddedSet& embedded, std::vector<const EmbeddedFile*>* items,
                       bool* has_items) {
  struct Entry {
    std::string_view name;
    bool is_directory;
    const EmbeddedFile* file;
  };
  std::vector<Entry> entries;
  std::set<std::string_view> seen;
  *has_items = false;
  for (size_t i = 0; i < embedded.file_count; ++i) {
    std::string_view path = embedded.files[i].path;
    if (path.substr(0, kItemsPrefix.size()) != kItemsPrefix) continue;
    *has_items = true;
    std::string_view rest = path.substr(kItemsPrefix.size());
    if (rest.empty()) continue;  // items/ itself
    size_t slash = rest.find('/');
    std::string_view name = rest.substr(0, slash);
    bool is_directory = slash != std::string_view::npos;
    if (!seen.insert(name).second) continue;
    entries.push_back({name, is_directory, is_directory ? nullptr : &embedded.files[i]});
  }
  std::sort(entries.begin(), entries.end(),
            [](const Entry& a, const Entry& b) { return a.name < b.name; });
  for (const Entry& entry : entries) {
    Result<ItemEntry> kind = ClassifyItemEntry(entry.name, entry.is_directory);
    if (!kind.ok()) return kind.status();
    if (*kind == ItemEntry::kItem) items->push_back(entry.file);
  }
  return Status::Ok();
}

}  // namespace

Result<UpgradeSet> LoadEmbeddedSet(const EmbeddedSet& embedded, const LoadOptions& options) {
  UpgradeSet set;
  set.dir = std::filesystem::path(fmt::format("embedded:{}", embedded.name));
  const EmbeddedFile* toml = FindEntry(embedded, "ratchet.toml");
  if (toml == nullptr) {
    return Status(Code::kInvalidSet,
                  fmt::format("{}: no ratchet.toml embedded: give ratchet_embed_set() the "
                              "directory of your upgrade set",
                              set.dir.string()));
  }
  std::vector<int> release_lines;
  RATCHET_RETURN_IF_ERROR(ParseProjectText(toml->bytes(), &set.project, &release_lines));

  std::vector<const EmbeddedFile*> files;
  bool has_items = false;
  RATCHET_RETURN_IF_ERROR(ListItemEntries(embedded, &files, &has_items));
  if (!has_items) {
    return Status(Code::kInvalidSet,
                  fmt::format("{}: no items/ directory: create it and put the item files there",
                              set.dir.string()));
  }
  set.items.resize(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    Item& item = set.items[i];
    item.file_name = std::string(files[i]->path).substr(kItemsPrefix.size());
    item.path = set.dir / "items" / item.file_name;
    RATCHET_RETURN_IF_ERROR(ParseItemFileName(item.file_name, &item));
    item.content = std::string(files[i]->bytes());
    RATCHET_RETURN_IF_ERROR(ParseItemContent(&item));
  }
  RATCHET_RETURN_IF_ERROR(FinishLoading(&set, release_lines, options));
  return set;
}

}  // namespace ratchet
