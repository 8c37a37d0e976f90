// Status and Result<T>: how every ratchet library call reports success or failure.
#ifndef RATCHET_STATUS_H_
#define RATCHET_STATUS_H_

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>

namespace ratchet {

// What went wrong, coarse enough that the tool can map it to an exit code
// (DESIGN §3) and fine enough that a caller can react to it.
enum class Code {
  kOk = 0,
  kInvalidArgument,  // bad usage: a malformed URL, an unknown option value
  kInvalidSet,       // the upgrade set cannot be loaded; nothing was touched
  kUpgradeFailed,    // an item failed; the database state records it
  kCheckFailed,      // checks found problems before anything changed
  kLockBusy,         // another ratchet holds the upgrade lock
  kRefused,          // drift, unknown versions, rollback after a pivot ...
  kConnection,       // the database could not be reached or opened
  kIo,               // a file could not be read or written
  kInternal,         // a bug in ratchet
  kInterrupted,      // stopped on request (RequestInterrupt); the state records it
};

// Where in an item file a database error happened and what the engine said.
// Filled by the engine (offsets, engine fields) and by the runner (file,
// line, column), so the message can name the exact statement (invariant 6).
struct DbError {
  std::string sqlstate;   // PostgreSQL SQLSTATE, or SQLite's extended code name
  std::string message;    // the engine's primary message
  std::string detail;     // PostgreSQL DETAIL, if any
  std::string hint;       // PostgreSQL HINT, if any
  std::string statement;  // the failing statement's text
  // Byte offset of the failing statement in the script that was executed,
  // or npos if the error did not come from a script statement.
  size_t statement_offset = std::string::npos;
  // Byte offset inside the statement where the engine placed the error,
  // or npos when the engine gave no position.
  size_t error_offset = std::string::npos;
  // Filled by the runner: the item file and 1-based line and column.
  std::string file;
  int line = 0;
  int column = 0;
};

// A Status is a value: OK, or a code with a message that names the object and,
// where the user can act, says how. Database errors carry a DbError.
class Status {
 public:
  Status() = default;
  Status(Code code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status DbFailure(Code code, std::string message, DbError error) {
    Status s(code, std::move(message));
    s.db_error_ = std::make_shared<DbError>(std::move(error));
    return s;
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // Returns the database error behind this status, or nullptr.
  const DbError* db_error() const { return db_error_.get(); }
  DbError* mutable_db_error() { return db_error_.get(); }

  // Returns a copy whose message is "<prefix>: <message>".
  Status WithContext(const std::string& prefix) const {
    Status s = *this;
    s.message_ = prefix + ": " + message_;
    return s;
  }

 private:
  Code code_ = Code::kOk;
  std::string message_;
  std::shared_ptr<DbError> db_error_;
};

// Either a value or a non-OK Status.
template <typename T>
class Result {
 public:
  Result(T value) : value_(std::move(value)) {}          // NOLINT: implicit by design
  Result(Status status) : status_(std::move(status)) {}  // NOLINT

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }
  T& value() & { return *value_; }
  const T& value() const& { return *value_; }
  T&& value() && { return std::move(*value_); }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }
  T& operator*() { return *value_; }

 private:
  std::optional<T> value_;
  Status status_;
};

// Exit code of the ratchet tool for a status (DESIGN §3): 0 done, 1 upgrade
// failed, 2 bad usage or bad set, 3 checks found problems, 4 lock not
// obtained, 5 refused.
int ExitCodeFor(const Status& status);

}  // namespace ratchet

#define RATCHET_RETURN_IF_ERROR(expr) \
  do {                                \
    ::ratchet::Status _st = (expr);   \
    if (!_st.ok()) return _st;        \
  } while (0)

#endif  // RATCHET_STATUS_H_
