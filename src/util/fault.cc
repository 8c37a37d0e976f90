// Fault points: reading RATCHET_FAULT and RATCHET_FAULT_TRACE, counting
// passes, and stopping the process at the chosen one.
#include "util/fault.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <mutex>

#include "ratchet/faults.h"

namespace ratchet::fault {
namespace {

// The configuration read from the environment before main().
struct Config {
  std::string point;  // the point to stop at, or ""
  long pass = 0;      // the pass to stop at (1-based)
  int trace_fd = -1;  // RATCHET_FAULT_TRACE, opened for appending, or -1
  std::string error;  // why RATCHET_FAULT is unusable, or ""
};

bool IsKnown(std::string_view name) {
  const auto& points = Points();
  return std::any_of(points.begin(), points.end(),
                     [&](const PointInfo& p) { return p.name == name; });
}

Config ReadConfig() {
  Config config;
  if (const char* trace = std::getenv("RATCHET_FAULT_TRACE"); trace != nullptr && *trace) {
    config.trace_fd = open(trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (config.trace_fd < 0) {
      config.error =
          fmt::format("RATCHET_FAULT_TRACE={}: cannot open the file for appending", trace);
    }
  }
  const char* spec = std::getenv("RATCHET_FAULT");
  if (spec == nullptr || *spec == '\0') return config;
  std::string text(spec);
  size_t colon = text.rfind(':');
  config.point = text.substr(0, colon);
  config.pass = 1;
  if (colon != std::string::npos) {
    std::string count = text.substr(colon + 1);
    char* end = nullptr;
    config.pass = std::strtol(count.c_str(), &end, 10);
    if (count.empty() || *end != '\0' || config.pass < 1) {
      config.error = fmt::format(
          "RATCHET_FAULT={}: '{}' is not a pass number; write <point>:<n> with n >= 1, "
          "e.g. commit.before:2",
          text, count);
      return config;
    }
  }
  if (!IsKnown(config.point)) {
    std::string known;
    for (const PointInfo& p : Points()) known += fmt::format("\n  {}", p.name);
    config.error = fmt::format("RATCHET_FAULT={}: there is no fault point '{}'; the points are:{}",
                               text, config.point, known);
  }
  return config;
}

Config& TheConfig() {
  static Config config = ReadConfig();
  return config;
}

// Writes all of `text` to `fd` with write(2): nothing is buffered, so it
// survives the _exit that may follow.
void WriteAll(int fd, const std::string& text) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = write(fd, text.data() + done, text.size() - done);
    if (n <= 0) return;
    done += static_cast<size_t>(n);
  }
}

}  // namespace

const std::vector<PointInfo>& Points() {
  static const std::vector<PointInfo> points = {
      {"statement.before",
       "before an item's statement is sent to the engine (PostgreSQL: before each statement, or "
       "each pipeline of statements, of a script or batch)"},
      {"statement.after", "after the engine has run that statement or pipeline"},
      {"pipeline.sent",
       "PostgreSQL: after a pipeline has been sent in full and before any result is read; the "
       "server finishes it, COMMIT included, without ratchet"},
      {"commit.before",
       "before ratchet commits a transaction: an item with its bookkeeping row, or a bookkeeping "
       "change of its own"},
      {"commit.after", "after that commit has returned"},
      {"journal.started",
       "a non-transactional item: after the state row naming it in flight has committed, before "
       "its sections run"},
      {"journal.statement",
       "an item that runs statement by statement: after one of its statements committed, "
       "before the journal records it done"},
      {"journal.ran",
       "a non-transactional item: after its sections ran, before the row that records it applied"},
      {"index.dropped",
       "PostgreSQL: after an INVALID index left by an interrupted concurrent build was dropped, "
       "before the item builds it again"},
      {"finalize.dry-run-done",
       "finalize: after the dry run passed on every database, before the first pivot"},
      {"copy.step",
       "copy-upgrade, SQLite: between two steps of the online backup into <file>.copying"},
      {"copy.taken",
       "copy-upgrade: after the copy is complete under its name (<file>.new, <db>_new), before "
       "it is upgraded"},
      {"copy.verified",
       "copy-upgrade: after the copy has been upgraded and verified, before the swap"},
      {"copy.kept-old",
       "copy-upgrade, SQLite: after the original got its second name <file>.old, before the "
       "copy is renamed over <file>"},
      {"copy.swapped", "copy-upgrade: after the swap, before the run ends"},
      {"pivot.committed",
       "finalize: after one database's pivot has committed, before finalize moves on to the "
       "next database"},
  };
  return points;
}

namespace internal {

bool armed =
    std::getenv("RATCHET_FAULT") != nullptr || std::getenv("RATCHET_FAULT_TRACE") != nullptr;

void Pass(std::string_view point) {
  static std::mutex mu;
  static std::map<std::string, long, std::less<>> passes;
  Config& config = TheConfig();
  std::lock_guard<std::mutex> lock(mu);
  auto it = passes.find(point);
  if (it == passes.end()) it = passes.emplace(std::string(point), 0).first;
  long n = ++it->second;
  if (config.trace_fd >= 0) WriteAll(config.trace_fd, fmt::format("{} {}\n", point, n));
  if (!config.error.empty() || point != config.point || n != config.pass) return;
  WriteAll(STDERR_FILENO,
           fmt::format("ratchet: RATCHET_FAULT: stopping at {} (pass {})\n", point, n));
  _exit(kFaultExitCode);
}

}  // namespace internal
}  // namespace ratchet::fault

namespace ratchet {

const std::string& FaultConfigError() { return fault::TheConfig().error; }

}  // namespace ratchet
