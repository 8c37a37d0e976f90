// Loading an upgrade set: ratchet.toml, every item file, and the checks that
// span files (duplicates, requires, cycles, same-as, release heads).
#include "ratchet/upgrade_set.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <set>
#include <system_error>
#include <thread>

#include "set/dialect.h"
#include "set/item_file.h"
#include "set/load_steps.h"
#include "set/project_file.h"

namespace ratchet {
namespace fs = std::filesystem;

const char* SectionName(SectionKind kind) {
  switch (kind) {
    case SectionKind::kCheck:
      return "check";
    case SectionKind::kPrepare:
      return "prepare";
    case SectionKind::kFinalize:
      return "finalize";
    case SectionKind::kRollback:
      return "rollback";
  }
  return "?";
}

const Section* Item::section(SectionKind kind) const {
  for (const Section& s : sections) {
    if (s.kind == kind) return &s;
  }
  return nullptr;
}

void Item::LineColumn(size_t offset, int* line, int* column) const {
  OffsetToLineColumn(content, offset, line, column);
}

std::string Item::Position(size_t offset) const {
  int line, column;
  LineColumn(offset, &line, &column);
  return fmt::format("items/{}:{}:{}", file_name, line, column);
}

std::vector<const Item*> UpgradeSet::ItemsFor(EngineKind engine) const {
  std::vector<const Item*> out;
  const std::string name = EngineName(engine);
  for (size_t i = 0; i < items.size();) {
    size_t j = i;
    const Item* generic = nullptr;
    const Item* own = nullptr;
    while (j < items.size() && items[j].version == items[i].version) {
      if (items[j].engine.empty()) generic = &items[j];
      if (items[j].engine == name) own = &items[j];
      ++j;
    }
    if (own) {
      out.push_back(own);
    } else if (generic) {
      out.push_back(generic);
    }
    i = j;
  }
  return out;
}

const Release* UpgradeSet::FindRelease(std::string_view name) const {
  for (const Release& r : project.releases) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

namespace {

// Reads the whole file `name` in the directory open as `dir_fd` with plain
// system calls: a large set has thousands of small item files, and a no-op
// run is mostly reading them. `path` names the file in messages.
Status ReadFile(int dir_fd, const char* name, const fs::path& path, std::string* out) {
  int fd = ::openat(dir_fd, name, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status(Code::kIo, fmt::format("cannot read {}", path.string()));
  // One read of the size fstat gives, plus a byte to see the end: a file
  // that has not changed since is read in one call.
  struct stat info = {};
  bool regular = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode);
  size_t expected = regular && info.st_size > 0 ? static_cast<size_t>(info.st_size) : 0;
  out->clear();
  size_t size = 0;
  while (true) {
    out->resize(std::max(size + 1, expected + 1));
    ssize_t n = ::read(fd, out->data() + size, out->size() - size);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      out->clear();
      return Status(Code::kIo, fmt::format("cannot read {}", path.string()));
    }
    size += static_cast<size_t>(n);
    bool short_read = size < out->size();
    if (n == 0 || (short_read && regular && size == expected)) break;
    if (!short_read) expected = std::max(expected, 2 * size);  // it grew: read on
  }
  out->resize(size);
  ::close(fd);
  return Status::Ok();
}

// Reads and checks the item files `names` (sorted) in `dir` into `*items`,
// in the same order, moving each name into its item's file_name. Each file
// stands alone, so a large set is read by a few threads; the error reported
// is the first in file order, as one thread would find it.
Status ReadItemFiles(const fs::path& dir, std::vector<std::string>& names,
                     std::vector<Item>* items) {
  constexpr size_t kFilesPerThread = 500;
  constexpr size_t kMaxThreads = 4;
  int dir_fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd < 0) return Status(Code::kIo, fmt::format("cannot read {}", dir.string()));
  std::string prefix = dir.native();
  if (!prefix.empty() && prefix.back() != '/') prefix.push_back('/');
  items->clear();
  items->resize(names.size());
  std::vector<Status> errors(names.size());
  auto read_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      Item& item = (*items)[i];
      item.path = fs::path(prefix + names[i]);
      item.file_name = std::move(names[i]);
      Status s = ParseItemFileName(item.file_name, &item);
      if (s.ok()) s = ReadFile(dir_fd, item.file_name.c_str(), item.path, &item.content);
      if (s.ok()) s = ParseItemContent(&item);
      if (!s.ok()) {
        errors[i] = std::move(s);
        return;  // the rest of this range comes after the error
      }
    }
  };
  size_t threads =
      std::min({kMaxThreads, names.size() / kFilesPerThread + 1,
                static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency()))});
  std::vector<std::thread> workers;
  size_t chunk = (names.size() + threads - 1) / threads;
  for (size_t t = 1; t < threads; ++t) {
    workers.emplace_back(read_range, std::min(t * chunk, names.size()),
                         std::min((t + 1) * chunk, names.size()));
  }
  read_range(0, std::min(chunk, names.size()));
  for (std::thread& worker : workers) worker.join();
  ::close(dir_fd);
  for (Status& error : errors) {
    if (!error.ok()) return std::move(error);
  }
  return Status::Ok();
}

// Lists the names of the item files in `items_dir`: every file ending in
// .sql, unsorted (see ClassifyItemEntry).
Status ListItemFiles(const fs::path& items_dir, std::vector<std::string>* names) {
  DIR* dir = ::opendir(items_dir.c_str());
  if (dir == nullptr) {
    return Status(Code::kIo,
                  fmt::format("cannot list {}: {}", items_dir.string(), std::strerror(errno)));
  }
  Status status;
  while (true) {
    errno = 0;
    const struct dirent* entry = ::readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) {
        status = Status(
            Code::kIo, fmt::format("cannot list {}: {}", items_dir.string(), std::strerror(errno)));
      }
      break;
    }
    std::string_view name = entry->d_name;
    if (name.empty() || name[0] == '.') continue;
    bool is_directory = entry->d_type == DT_DIR;
    if (entry->d_type == DT_UNKNOWN || entry->d_type == DT_LNK) {
      struct stat info;  // what a link points to decides, as for a path
      is_directory = ::fstatat(::dirfd(dir), entry->d_name, &info, 0) == 0 && S_ISDIR(info.st_mode);
    }
    Result<ItemEntry> kind = ClassifyItemEntry(name, is_directory);
    if (!kind.ok()) {
      status = kind.status();
      break;
    }
    if (*kind == ItemEntry::kItem) names->emplace_back(name);
  }
  ::closedir(dir);
  return status;
}

// Parses every section of `item` with `engine`'s parser and derives the
// transaction mode of each section.
Status ParseForEngine(Item* item, EngineKind engine) {
  for (Section& section : item->sections) {
    Status s = DialectFor(engine).SplitScript(section.text, &section.statements);
    if (!s.ok()) {
      const DbError* e = s.db_error();
      size_t at = section.offset;
      if (e && e->statement_offset != std::string::npos) {
        at += e->statement_offset;
        if (e->error_offset != std::string::npos) at += e->error_offset;
      }
      return Status(Code::kInvalidSet, fmt::format("{}: {}", item->Position(at), s.message()));
    }
    size_t non_transactional = 0;
    for (const Statement& st : section.statements) {
      if (st.transaction_control && item->transaction != TransactionMode::kNone) {
        return Status(
            Code::kInvalidSet,
            fmt::format("{}: the item controls its own transaction ({}): ratchet runs each item "
                        "in a transaction it opens itself, so that the item and its bookkeeping "
                        "row commit together; remove BEGIN/COMMIT/ROLLBACK/SAVEPOINT from the "
                        "item, or mark it '-- ratchet: transaction none' and make it idempotent",
                        item->Position(section.offset + st.offset), st.node));
      }
      if (st.non_transactional) ++non_transactional;
    }
    // Under 'transaction none' a mix runs statement by statement, each
    // journaled (the item must be idempotent); without it, a mix is refused.
    if (non_transactional > 0 && non_transactional < section.statements.size() &&
        item->transaction != TransactionMode::kNone) {
      const Statement* first = nullptr;
      for (const Statement& st : section.statements) {
        if (st.non_transactional) {
          first = &st;
          break;
        }
      }
      return Status(
          Code::kInvalidSet,
          fmt::format("{}: this statement cannot run inside a transaction, but the {} section "
                      "also holds statements that can. Either move it into an item of its own "
                      "(for example the next version), which ratchet runs outside a "
                      "transaction, or add '-- ratchet: transaction none' at the top of the "
                      "file: then every statement runs and commits on its own, journaled, so "
                      "make each one safe to run twice (IF NOT EXISTS, IF EXISTS)",
                      item->Position(section.offset + first->offset), SectionName(section.kind)));
    }
    section.non_transactional =
        item->transaction == TransactionMode::kNone ||
        (non_transactional > 0 && non_transactional == section.statements.size());
  }
  item->parsed = true;
  return Status::Ok();
}

// Finds a cycle through `requires`, returning its versions in order (the
// first one again at the end: V3, V4, V3), or an empty list.
std::vector<Version> FindCycle(const std::map<Version, std::set<Version>>& edges) {
  std::map<Version, int> color;  // 0 new, 1 on stack, 2 done
  std::vector<Version> stack;
  std::vector<Version> found;
  std::function<bool(const Version&)> visit = [&](const Version& v) {
    color[v] = 1;
    stack.push_back(v);
    auto it = edges.find(v);
    if (it != edges.end()) {
      for (const Version& next : it->second) {
        if (color[next] == 1) {
          auto from = std::find(stack.begin(), stack.end(), next);
          found.assign(from, stack.end());
          found.push_back(next);
          return true;
        }
        if (color[next] == 0 && visit(next)) return true;
      }
    }
    stack.pop_back();
    color[v] = 2;
    return false;
  };
  for (const auto& [v, _] : edges) {
    if (color[v] == 0 && visit(v)) return found;
  }
  return {};
}

}  // namespace

Result<ItemEntry> ClassifyItemEntry(std::string_view name, bool is_directory) {
  if (name.empty() || name[0] == '.') return ItemEntry::kIgnored;
  if (is_directory) {
    return Status(
        Code::kInvalidSet,
        fmt::format("items/{}/: items/ holds item files only: move the directory out", name));
  }
  size_t dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0) return ItemEntry::kIgnored;
  std::string_view ext = name.substr(dot);
  if (ext.size() != 4 || std::tolower(static_cast<unsigned char>(ext[1])) != 's' ||
      std::tolower(static_cast<unsigned char>(ext[2])) != 'q' ||
      std::tolower(static_cast<unsigned char>(ext[3])) != 'l') {
    return ItemEntry::kIgnored;  // READMEs and notes are fine
  }
  if (ext != ".sql") {
    return Status(Code::kInvalidSet,
                  fmt::format("items/{}: item files end in lower-case .sql: rename it, or it "
                              "would never run",
                              name));
  }
  return ItemEntry::kItem;
}

Result<UpgradeSet> LoadUpgradeSet(const fs::path& dir, const LoadOptions& options) {
  UpgradeSet set;
  std::error_code ec;
  set.dir = fs::absolute(dir, ec);
  fs::path toml_path = set.dir / "ratchet.toml";
  if (!fs::exists(toml_path, ec)) {
    return Status(Code::kInvalidSet,
                  fmt::format("{}: no ratchet.toml here: point --set at the directory of your "
                              "upgrade set",
                              set.dir.string()));
  }
  std::vector<int> release_lines;
  RATCHET_RETURN_IF_ERROR(ReadProjectFile(toml_path, &set.project, &release_lines));

  fs::path items_dir = set.dir / "items";
  if (!fs::is_directory(items_dir, ec)) {
    return Status(Code::kInvalidSet,
                  fmt::format("{}: no items/ directory: create it and put the item files there",
                              set.dir.string()));
  }
  std::vector<std::string> files;  // sorted as strings: comparing paths is slow
  RATCHET_RETURN_IF_ERROR(ListItemFiles(items_dir, &files));
  std::sort(files.begin(), files.end());

  RATCHET_RETURN_IF_ERROR(ReadItemFiles(items_dir, files, &set.items));
  RATCHET_RETURN_IF_ERROR(FinishLoading(&set, release_lines, options));
  return set;
}

Status FinishLoading(UpgradeSet* set_ptr, const std::vector<int>& release_lines,
                     const LoadOptions& options) {
  UpgradeSet& set = *set_ptr;
  // Into version order: sorting indices and then moving each item once
  // along the permutation's cycles is cheaper than sorting the items.
  std::vector<size_t> order(set.items.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Item& x = set.items[a];
    const Item& y = set.items[b];
    return x.version != y.version ? x.version < y.version : x.engine < y.engine;
  });
  for (size_t start = 0; start < order.size(); ++start) {
    if (order[start] == start) continue;
    Item first = std::move(set.items[start]);
    size_t at = start;
    while (order[at] != start) {
      size_t from = order[at];
      set.items[at] = std::move(set.items[from]);
      order[at] = at;
      at = from;
    }
    set.items[at] = std::move(first);
    order[at] = at;
  }

  // One file per version and engine; variants of a version agree on its name.
  std::map<Version, const Item*> by_version;
  for (size_t i = 0; i < set.items.size(); ++i) {
    const Item& item = set.items[i];
    auto [it, inserted] = by_version.emplace(item.version, &item);
    if (inserted) continue;
    const Item& other = *it->second;
    for (size_t k = 0; k < i; ++k) {
      const Item& prev = set.items[k];
      if (prev.version == item.version && prev.engine == item.engine) {
        return Status(Code::kInvalidSet,
                      fmt::format("items/{}: version {} is already used by items/{}: every item "
                                  "needs its own version; run 'ratchet new' for the next free one",
                                  item.file_name, item.version.ToString(), prev.file_name));
      }
    }
    if (other.ticket != item.ticket || other.description != item.description) {
      return Status(Code::kInvalidSet,
                    fmt::format("items/{}: engine variants of {} must share ticket and "
                                "description with items/{}: rename one of them",
                                item.file_name, item.version.ToString(), other.file_name));
    }
  }

  // requires and same-as name known versions; cycles; no later requirements.
  std::map<Version, std::set<Version>> edges;
  for (const Item& item : set.items) {
    for (const Version& r : item.requires_versions) {
      if (!by_version.count(r)) {
        return Status(Code::kInvalidSet,
                      fmt::format("{}: requires {}, which is not in items/: fix the version "
                                  "or add the item",
                                  item.Position(item.requires_offset), r.ToString()));
      }
      edges[item.version].insert(r);
    }
    if (item.same_as) {
      if (!by_version.count(*item.same_as)) {
        return Status(Code::kInvalidSet,
                      fmt::format("{}: same-as {}, which is not in items/: name the version "
                                  "this item was back-ported as",
                                  item.Position(item.same_as_offset), item.same_as->ToString()));
      }
      if (*item.same_as == item.version) {
        return Status(Code::kInvalidSet,
                      fmt::format("{}: same-as names the item itself: name the back-ported "
                                  "version, e.g. V2.1",
                                  item.Position(item.same_as_offset)));
      }
    }
  }
  std::vector<Version> cycle = FindCycle(edges);
  if (!cycle.empty()) {
    // Named at the requires of the cycle's first item; the whole cycle
    // follows, since any of its requires may be the one to remove.
    std::string path;
    for (const Version& v : cycle) path += (path.empty() ? "" : " -> ") + v.ToString();
    const Item& first = *by_version.at(cycle.front());
    return Status(Code::kInvalidSet,
                  fmt::format("{}: dependency cycle {}: an item can only require earlier "
                              "versions; remove one of these requires",
                              first.Position(first.requires_offset), path));
  }
  for (const Item& item : set.items) {
    for (const Version& r : item.requires_versions) {
      if (!(r < item.version)) {
        return Status(Code::kInvalidSet,
                      fmt::format("{}: requires {}, which is not earlier than {}: an item "
                                  "runs after what it requires, so it can only require earlier "
                                  "versions",
                                  item.Position(item.requires_offset), r.ToString(),
                                  item.version.ToString()));
      }
    }
  }
  for (size_t i = 0; i < set.project.releases.size(); ++i) {
    const Release& r = set.project.releases[i];
    if (!by_version.count(r.head)) {
      return Status(Code::kInvalidSet,
                    fmt::format("ratchet.toml:{}: release '{}' has head {}, which is not in "
                                "items/: set head to the release's last item",
                                release_lines[i], r.name, r.head.ToString()));
    }
  }

  if (options.parse_for && !options.defer_parse) {
    const std::string engine = EngineName(*options.parse_for);
    for (Item& item : set.items) {
      if (!item.engine.empty() && item.engine != engine) continue;
      RATCHET_RETURN_IF_ERROR(ParseForEngine(&item, *options.parse_for));
    }
  }
  return Status::Ok();
}

// Parses copies of the unparsed items on a few threads, each thread taking
// the next item in turn (items differ in size), then keeps the copies in
// order up to the first bad item: the error reported, and what `*items` and
// `*storage` hold after it, are what a one-by-one parse would leave.
// The dialects' splitters share no state between calls.
Status ParseDeferredItems(EngineKind engine, std::vector<const Item*>* items,
                          std::deque<Item>* storage) {
  constexpr size_t kItemsPerThread = 200;
  constexpr size_t kMaxThreads = 8;
  std::vector<size_t> places;  // the indexes in `*items` of the items to parse
  for (size_t i = 0; i < items->size(); ++i) {
    if (!(*items)[i]->parsed) places.push_back(i);
  }
  std::vector<Item> copies(places.size());
  std::vector<Status> results(copies.size());
  std::atomic<size_t> next{0};
  std::atomic<size_t> first_bad{copies.size()};
  auto parse = [&] {
    for (size_t k = next++; k < copies.size() && k < first_bad.load(); k = next++) {
      copies[k] = *(*items)[places[k]];
      results[k] = ParseForEngine(&copies[k], engine);
      if (results[k].ok()) continue;
      // Items after a bad one need no parsing: their results are never read.
      size_t bad = first_bad.load();
      while (k < bad && !first_bad.compare_exchange_weak(bad, k)) {
        // `bad` now holds another thread's find: keep the earlier of the two.
      }
    }
  };
  size_t threads =
      std::min({kMaxThreads, copies.size() / kItemsPerThread + 1,
                static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency()))});
  std::vector<std::thread> workers;
  for (size_t t = 1; t < threads; ++t) {
    try {
      workers.emplace_back(parse);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the ones started, and this one, do the work
    }
  }
  parse();
  for (std::thread& worker : workers) worker.join();

  for (size_t k = 0; k < copies.size(); ++k) {
    if (!results[k].ok()) return std::move(results[k]);
    storage->push_back(std::move(copies[k]));
    (*items)[places[k]] = &storage->back();
  }
  return Status::Ok();
}

}  // namespace ratchet
