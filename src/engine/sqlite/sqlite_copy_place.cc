// copy-upgrade on SQLite: the online backup API into F.copying, renamed to
// F.new once complete; a write transaction held on F as the write freeze;
// the swap as a hard link F -> F.old followed by rename(F.new, F), so that F
// always names a complete database.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "engine/sqlite/sqlite_connection.h"
#include "engine/sqlite/sqlite_engine.h"
#include "util/fault.h"

namespace ratchet::sqlite {
namespace {

namespace fs = std::filesystem;

// Pages per backup step: small enough that a copy of a few megabytes takes
// several steps (each a fault point), large enough to cost nothing.
constexpr int kPagesPerStep = 256;

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

// Makes a rename or link in the directory of `path` durable.
void SyncDirectoryOf(const std::string& path) {
  fs::path dir = fs::path(path).parent_path();
  int fd = open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

Status IoError(const std::string& what, const std::string& path) {
  return Status(Code::kIo, fmt::format("cannot {} {}: {}", what, path, std::strerror(errno)));
}

// True when `a` and `b` name the same file.
bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa {
  }, sb{};
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

// Creates `path`, empty, with the mode, owner and group of `original`, so
// that the copy which takes the original's name is no more open to others
// and still belongs to the application's user, whoever runs ratchet. The
// journal SQLite keeps beside the copy follows the copy's mode and owner.
Status CreateLike(const std::string& original, const std::string& path) {
  struct stat st {};
  if (stat(original.c_str(), &st) != 0) return IoError("read the mode of", original);
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("create", path);
  Status status;
  // Owner first: changing it clears the set-user and set-group bits.
  if ((st.st_uid != geteuid() || st.st_gid != getegid()) && fchown(fd, st.st_uid, st.st_gid) != 0) {
    status = Status(Code::kRefused,
                    fmt::format("cannot give the copy {} the owner of {} (uid {}, gid {}): {}; "
                                "run copy-upgrade as that user or as root, so that the upgraded "
                                "database keeps its owner",
                                path, original, st.st_uid, st.st_gid, std::strerror(errno)));
  } else if (fchmod(fd, st.st_mode & 07777) != 0) {
    status = IoError("set the mode of", path);
  }
  close(fd);
  if (!status.ok()) unlink(path.c_str());
  return status;
}

class SqliteCopy final : public CopyPlace {
 public:
  SqliteCopy(const Target& target, const ConnectOptions& options)
      : target_(target),
        options_(options),
        path_(target.conninfo),
        copying_(path_ + ".copying"),
        new_(path_ + ".new"),
        old_(path_ + ".old") {
    options_.create_if_missing = false;
  }

  // A folder ratchet may not write is refused when the file is opened, as
  // SQLite writes its journal there; what is left is the file's owner.
  Status CheckPrivileges() override {
    struct stat st {};
    if (geteuid() == 0 || stat(path_.c_str(), &st) != 0) return Status::Ok();
    std::vector<gid_t> groups(static_cast<size_t>(std::max(getgroups(0, nullptr), 0)));
    groups.resize(static_cast<size_t>(
        std::max(getgroups(static_cast<int>(groups.size()), groups.data()), 0)));
    bool in_group = st.st_gid == getegid() ||
                    std::find(groups.begin(), groups.end(), st.st_gid) != groups.end();
    if (st.st_uid == geteuid() && in_group) return Status::Ok();
    return RefusedForPrivileges(
        target_.display, fmt::format("this user (uid {})", geteuid()),
        {fmt::format("the file's owner (uid {}, gid {}) for the copy, so that the upgraded "
                     "database keeps its owner: run as that user or as root",
                     st.st_uid, st.st_gid)});
  }

  Result<CopyState> Read() override {
    CopyState state;
    state.database = target_.display;
    if (Exists(copying_)) {
      state.copy = "sqlite:" + copying_;
      state.copy_status = "copying";
    } else if (Exists(new_)) {
      state.copy = "sqlite:" + new_;
      state.copy_status = "copied";  // the run layer reads its bookkeeping
    }
    if (Exists(old_)) {
      state.kept = "sqlite:" + old_;
      state.swapping = Exists(new_);
    }
    return state;
  }

  Status Lock(std::chrono::milliseconds wait) override {
    auto conn = ratchet::Connect(target_, options_);
    if (!conn.ok()) return conn.status();
    freeze_ = std::move(*conn);
    return freeze_->AcquireUpgradeLock(wait);
  }

  Status Freeze() override {
    // A write-ahead log is shared by name with the application's
    // connections: it cannot follow the original to F.old safely.
    auto mode = freeze_->Query("PRAGMA journal_mode");
    if (!mode.ok()) return mode.status();
    if (!mode->rows.empty() && mode->rows[0][0] == "wal") {
      return Status(Code::kRefused,
                    fmt::format("{} is in WAL mode, which copy-upgrade does not support: the "
                                "-wal file is found by name and would not follow the original "
                                "when the copy takes its place. With the application stopped, "
                                "switch it to a rollback journal (PRAGMA journal_mode=DELETE), "
                                "or use 'ratchet upgrade'",
                                target_.display));
    }
    // Other writers now wait, and fail after their busy timeout; readers
    // go on. The copy is taken through a second connection, which reads.
    Status s = freeze_->Begin();
    if (s.ok()) return s;
    return Status(Code::kLockBusy,
                  fmt::format("{}: cannot freeze writes: {}; the application is writing, run "
                              "again when it is quiet",
                              target_.display, s.message()));
  }

  Status Thaw() override { return freeze_ ? freeze_->Rollback() : Status::Ok(); }

  Status DiscardCopy() override {
    std::error_code ec;
    for (const std::string& base : {copying_, new_}) {
      for (const char* suffix : {"", "-journal", "-wal", "-shm"}) fs::remove(base + suffix, ec);
    }
    SyncDirectoryOf(path_);
    return Status::Ok();
  }

  Result<bool> KeepCopyAfterCrash(const CopyState& state) override {
    // The freeze ended with the run that held it, and the application may
    // have written since: no copy it left is trusted. A second name the
    // original got for the swap is taken back; F itself was never replaced.
    if (state.swapping) {
      if (!SameFile(path_, old_)) {
        return Status(Code::kRefused,
                      fmt::format("{} and {} are different files although {} is still there: "
                                  "ratchet did not leave them so; look at them before removing "
                                  "any",
                                  path_, old_, new_));
      }
      if (unlink(old_.c_str()) != 0) return IoError("remove", old_);
    }
    RATCHET_RETURN_IF_ERROR(DiscardCopy());
    return false;
  }

  Status TakeCopy(Reporter* reporter) override {
    auto source = ratchet::Connect(target_, options_);
    if (!source.ok()) return source.status();
    RATCHET_RETURN_IF_ERROR(CreateLike(path_, copying_));
    RATCHET_RETURN_IF_ERROR(sqlite::BackupTo(**source, copying_, kPagesPerStep,
                                             [] { RATCHET_FAULT_POINT("copy.step"); }));
    // Only a complete copy ever carries the name F.new.
    if (rename(copying_.c_str(), new_.c_str()) != 0) return IoError("rename", copying_);
    SyncDirectoryOf(path_);
    RATCHET_FAULT_POINT("copy.taken");
    return Status::Ok();
  }

  Target CopyTarget() const override {
    Target t;
    t.kind = EngineKind::kSqlite;
    t.conninfo = new_;
    t.display = "sqlite:" + new_;
    return t;
  }

  Status Swap() override {
    if (Exists(new_ + "-wal") || Exists(new_ + "-journal")) {
      return Status(Code::kInternal, "sqlite:" + new_ + " is still open; it cannot be swapped in");
    }
    // F keeps naming a complete database throughout: first the original
    // gets a second name, then the copy replaces F in one rename.
    if (link(path_.c_str(), old_.c_str()) != 0) {
      return IoError("keep the original as " + old_ + ": link", path_);
    }
    SyncDirectoryOf(path_);
    RATCHET_FAULT_POINT("copy.kept-old");
    if (rename(new_.c_str(), path_.c_str()) != 0) return IoError("rename " + new_ + " to", path_);
    SyncDirectoryOf(path_);
    RATCHET_FAULT_POINT("copy.swapped");
    // The freeze was held on the original, now F.old: it ends here.
    return Thaw();
  }

  Result<std::string> RemoveKept() override {
    if (!Exists(old_)) return std::string();
    std::error_code ec;
    for (const char* suffix : {"-journal", "-wal", "-shm", ""}) {
      fs::remove(old_ + suffix, ec);
      if (ec) return Status(Code::kIo, fmt::format("cannot remove {}: {}", old_, ec.message()));
    }
    SyncDirectoryOf(path_);
    return "sqlite:" + old_;
  }

 private:
  Target target_;
  ConnectOptions options_;
  std::string path_, copying_, new_, old_;
  // The upgrade lock and, once frozen, the write transaction on F.
  std::unique_ptr<Connection> freeze_;
};

}  // namespace

std::unique_ptr<CopyPlace> OpenCopyPlace(const Target& target, const ConnectOptions& options) {
  return std::make_unique<SqliteCopy>(target, options);
}

}  // namespace ratchet::sqlite
