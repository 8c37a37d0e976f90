// Loading an upgrade set: ratchet.toml, every item file, and the checks that
// span files (duplicates, requires, cycles, same-as, release heads).
#include "ratchet/upgrade_set.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cctype>
#include <functional>
#include <map>
#include <set>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "engine/postgres/pg_parse.h"
#include "engine/sqlite/sqlite_parse.h"
#include "set/item_file.h"
#include "set/project_file.h"

namespace ratchet {
namespace fs = std::filesystem;

const char* SectionName(SectionKind kind) {
  switch (kind) {
    case SectionKind::kCheck: return "check";
    case SectionKind::kPrepare: return "prepare";
    case SectionKind::kFinalize: return "finalize";
    case SectionKind::kRollback: return "rollback";
  }
  return "?";
}

const char* EngineName(EngineKind kind) {
  return kind == EngineKind::kSqlite ? "sqlite" : "postgresql";
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

// Reads a whole file with plain system calls: a large set has thousands of
// small item files, and a no-op run is mostly reading them.
Status ReadFile(const fs::path& path, std::string* out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status(Code::kIo, fmt::format("cannot read {}", path.string()));
  struct stat info;
  out->clear();
  if (::fstat(fd, &info) == 0 && info.st_size > 0) out->reserve(static_cast<size_t>(info.st_size));
  char buffer[16384];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Status(Code::kIo, fmt::format("cannot read {}", path.string()));
    }
    if (n == 0) break;
    out->append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::Ok();
}

// Reads and checks the item files `names` (sorted) in `dir` into `*items`,
// in the same order. Each file stands alone, so a large set is read by a
// few threads; the error reported is the first in file order, as one thread
// would find it.
Status ReadItemFiles(const fs::path& dir, const std::vector<std::string>& names,
                     std::vector<Item>* items) {
  constexpr size_t kFilesPerThread = 500;
  constexpr size_t kMaxThreads = 4;
  items->assign(names.size(), Item());
  std::vector<Status> errors(names.size());
  auto read_range = [&](size_t begin, size_t end) {
    for (size_t i = begin; i < end; ++i) {
      Item& item = (*items)[i];
      item.file_name = names[i];
      item.path = dir / names[i];
      Status s = ParseItemFileName(item.file_name, &item);
      if (s.ok()) s = ReadFile(item.path, &item.content);
      if (s.ok()) s = ParseItemContent(&item);
      if (!s.ok()) {
        errors[i] = std::move(s);
        return;  // the rest of this range comes after the error
      }
    }
  };
  size_t threads = std::min({kMaxThreads, names.size() / kFilesPerThread + 1,
                             static_cast<size_t>(std::max(1u, std::thread::hardware_concurrency()))});
  std::vector<std::thread> workers;
  size_t chunk = (names.size() + threads - 1) / threads;
  for (size_t t = 1; t < threads; ++t) {
    workers.emplace_back(read_range, std::min(t * chunk, names.size()),
                         std::min((t + 1) * chunk, names.size()));
  }
  read_range(0, std::min(chunk, names.size()));
  for (std::thread& worker : workers) worker.join();
  for (Status& error : errors) {
    if (!error.ok()) return std::move(error);
  }
  return Status::Ok();
}

// Parses every section of `item` with `engine`'s parser and derives the
// transaction mode of each section.
Status ParseForEngine(Item* item, EngineKind engine) {
  for (Section& section : item->sections) {
    Status s = engine == EngineKind::kPostgres
                   ? postgres::SplitScript(section.text, &section.statements)
                   : sqlite::SplitScript(section.text, &section.statements);
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
    if (non_transactional > 0 && non_transactional < section.statements.size()) {
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
                      "also holds statements that must: move it into an item of its own (for "
                      "example the next version), which ratchet runs outside a transaction",
                      item->Position(section.offset + first->offset), SectionName(section.kind)));
    }
    section.non_transactional =
        item->transaction == TransactionMode::kNone ||
        (non_transactional > 0 && non_transactional == section.statements.size());
  }
  item->parsed = true;
  return Status::Ok();
}

// Finds a cycle through `requires`, returning it as "V3 -> V4 -> V3", or "".
std::string FindCycle(const std::map<Version, std::set<Version>>& edges) {
  std::map<Version, int> color;  // 0 new, 1 on stack, 2 done
  std::vector<Version> stack;
  std::string found;
  std::function<bool(const Version&)> visit = [&](const Version& v) {
    color[v] = 1;
    stack.push_back(v);
    auto it = edges.find(v);
    if (it != edges.end()) {
      for (const Version& next : it->second) {
        if (color[next] == 1) {
          auto from = std::find(stack.begin(), stack.end(), next);
          for (auto k = from; k != stack.end(); ++k) found += k->ToString() + " -> ";
          found += next.ToString();
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
  return "";
}

}  // namespace

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
  for (const auto& entry : fs::directory_iterator(items_dir, ec)) {
    std::string name = entry.path().filename().string();
    if (name.empty() || name[0] == '.') continue;
    if (entry.is_directory()) {
      return Status(Code::kInvalidSet,
                    fmt::format("items/{}/: items/ holds item files only: move the directory "
                                "out",
                                name));
    }
    std::string ext = entry.path().extension().string();
    for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (ext != ".sql") continue;  // READMEs and notes are fine
    if (entry.path().extension() != ".sql") {
      return Status(Code::kInvalidSet,
                    fmt::format("items/{}: item files end in lower-case .sql: rename it, or it "
                                "would never run",
                                name));
    }
    files.push_back(std::move(name));
  }
  if (ec) return Status(Code::kIo, fmt::format("cannot list {}: {}", items_dir.string(), ec.message()));
  std::sort(files.begin(), files.end());

  RATCHET_RETURN_IF_ERROR(ReadItemFiles(items_dir, files, &set.items));
  std::sort(set.items.begin(), set.items.end(), [](const Item& a, const Item& b) {
    return a.version != b.version ? a.version < b.version : a.engine < b.engine;
  });

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
  std::string cycle = FindCycle(edges);
  if (!cycle.empty()) {
    return Status(Code::kInvalidSet,
                  fmt::format("items/: dependency cycle {}: an item can only require earlier "
                              "versions; remove one of these requires",
                              cycle));
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
  return set;
}

// Parses copies of the unparsed items on a few threads, each thread taking
// the next item in turn (items differ in size), then keeps the copies in
// order up to the first bad item: the error reported, and what `*items` and
// `*storage` hold after it, are what a one-by-one parse would leave.
// libpg_query and SQLite's statement splitter share no state between calls.
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
