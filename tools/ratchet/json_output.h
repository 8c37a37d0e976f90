// --json: what a command says as JSON lines for programs, one object a line,
// each carrying the format version and its kind (docs/JSON.md).
#ifndef RATCHET_TOOLS_RATCHET_JSON_OUTPUT_H_
#define RATCHET_TOOLS_RATCHET_JSON_OUTPUT_H_

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>
#include <string>

#include "ratchet/check.h"
#include "ratchet/runner.h"
#include "ratchet/snapshot.h"
#include "ratchet/status.h"

namespace ratchet::tool {

// The version of every object --json writes. It goes up only when an object
// loses a field or a field changes its meaning; new fields and new kinds
// come within a format, and readers ignore what they do not know.
constexpr int kJsonFormat = 1;

// True once the command line asked for --json.
bool JsonMode();
void SetJsonMode(bool on, const std::string& command);

// Adds --json to `command`; `json` (may be null) is set when it is given.
void AddJsonFlag(CLI::App* command, bool* json = nullptr);

// Writes one object on one line of standard output, its "format", "kind"
// and "command" first, then `fields` in order. Safe from any thread.
void EmitJson(const std::string& kind, const nlohmann::ordered_json& fields = {});

// The "error" field of an object: message, code, and where an item's
// statement failed (file, line, column, sqlstate, statement) when known.
nlohmann::ordered_json ErrorFields(const Status& status);

// Writes the error object that ends a failed command: the message, its exit
// code and the command to run next ("" when there is none).
void EmitError(const Status& status, const std::string& next = "");

// `document` with its keys in the order nlohmann::json keeps them (sorted),
// for EmitJson.
nlohmann::ordered_json Ordered(const nlohmann::json& document);

// One difference between two schemas: change ("only-before", "only-after",
// "changed"), object_kind, name, property, before, after.
nlohmann::ordered_json DifferenceJson(const Difference& difference);

// Check and lint findings: family, severity, item, where, message, details.
nlohmann::ordered_json FindingsJson(const std::vector<CheckFinding>& findings);

// The fields of a check object for `report` (JSON.md): database, findings,
// pending, problems, warnings.
nlohmann::ordered_json CheckReportJson(const CheckReport& report);

// A JSON text field: null when empty.
nlohmann::ordered_json TextOrNull(const std::string& text);

// Turns a run's progress into item-started, item-finished, note and check
// objects for `database`.
class JsonReporter : public Reporter {
 public:
  explicit JsonReporter(std::string database) : database_(std::move(database)) {}
  void Banner(const std::string& text) override;
  void ItemStarted(const Item& item, size_t index, size_t count) override;
  void ItemFinished(const Item& item, ItemOutcome outcome, std::chrono::milliseconds elapsed,
                    const Status& error) override;
  void Note(const std::string& text) override;
  // A check object, before the error that stops the run, when the checks
  // found problems.
  void ChecksRan(const Plan& checked, const CheckReport& report) override;

 private:
  std::string database_;
  size_t index_ = 0, count_ = 0;
};

// "applied", "failed", "failed-optional", "skipped".
const char* OutcomeName(ItemOutcome outcome);

}  // namespace ratchet::tool

#endif  // RATCHET_TOOLS_RATCHET_JSON_OUTPUT_H_
