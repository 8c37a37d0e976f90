// The JSON lines of --json (docs/JSON.md).
#include "json_output.h"

#include <iostream>
#include <mutex>

namespace ratchet::tool {
namespace {

bool json_mode = false;
std::string json_command;

std::mutex& EmitMutex() {
  static std::mutex mutex;
  return mutex;
}

const char* CodeName(Code code) {
  switch (code) {
    case Code::kOk:
      return "ok";
    case Code::kInvalidArgument:
      return "invalid-argument";
    case Code::kInvalidSet:
      return "invalid-set";
    case Code::kUpgradeFailed:
      return "upgrade-failed";
    case Code::kCheckFailed:
      return "check-failed";
    case Code::kLockBusy:
      return "lock-busy";
    case Code::kRefused:
      return "refused";
    case Code::kConnection:
      return "connection";
    case Code::kIo:
      return "io";
    case Code::kInternal:
      return "internal";
    case Code::kInterrupted:
      return "interrupted";
  }
  return "internal";
}

}  // namespace

bool JsonMode() { return json_mode; }

void SetJsonMode(bool on, const std::string& command) {
  json_mode = on;
  json_command = command;
}

void AddJsonFlag(CLI::App* command, bool* json) {
  if (json != nullptr) {
    command->add_flag("--json", *json, "write JSON lines for programs (docs/JSON.md)");
  } else {
    command->add_flag("--json")->description("write JSON lines for programs (docs/JSON.md)");
  }
}

nlohmann::ordered_json Ordered(const nlohmann::json& document) {
  return nlohmann::ordered_json::parse(
      document.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

nlohmann::ordered_json DifferenceJson(const Difference& d) {
  auto value = [](const std::optional<std::string>& v) {
    return v ? nlohmann::ordered_json(*v) : nlohmann::ordered_json();
  };
  const char* change = d.change == Difference::Change::kOnlyBefore  ? "only-before"
                       : d.change == Difference::Change::kOnlyAfter ? "only-after"
                                                                    : "changed";
  return {{"change", change},
          {"object_kind", d.kind},
          {"name", d.name},
          {"property", TextOrNull(d.property)},
          {"before", value(d.before)},
          {"after", value(d.after)}};
}

nlohmann::ordered_json FindingsJson(const std::vector<CheckFinding>& findings) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CheckFinding& f : findings) {
    out.push_back({{"family", f.family},
                   {"severity", SeverityName(f.severity)},
                   {"item", f.item},
                   {"where", f.where},
                   {"message", f.message},
                   {"details", f.details}});
  }
  return out;
}

nlohmann::ordered_json CheckReportJson(const CheckReport& report) {
  return {{"database", report.database},
          {"findings", FindingsJson(report.findings)},
          {"pending", report.pending},
          {"problems", report.problems()},
          {"warnings", report.warnings()}};
}

nlohmann::ordered_json TextOrNull(const std::string& text) {
  return text.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(text);
}

void EmitJson(const std::string& kind, const nlohmann::ordered_json& fields) {
  nlohmann::ordered_json line;
  line["format"] = kJsonFormat;
  line["kind"] = kind;
  line["command"] = TextOrNull(json_command);
  if (fields.is_object()) {
    for (const auto& [key, value] : fields.items()) line[key] = value;
  }
  // Invalid UTF-8 from a database message is replaced, never fatal.
  std::string text = line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  std::lock_guard<std::mutex> lock(EmitMutex());
  std::cout << text << "\n" << std::flush;
}

nlohmann::ordered_json ErrorFields(const Status& status) {
  if (status.ok()) return nullptr;
  nlohmann::ordered_json e;
  e["message"] = status.message();
  e["code"] = CodeName(status.code());
  const DbError* db = status.db_error();
  e["file"] = db ? TextOrNull(db->file) : nullptr;
  e["line"] = db && db->line > 0 ? nlohmann::ordered_json(db->line) : nullptr;
  e["column"] = db && db->line > 0 ? nlohmann::ordered_json(db->column) : nullptr;
  e["sqlstate"] = db ? TextOrNull(db->sqlstate) : nullptr;
  e["statement"] = db ? TextOrNull(db->statement) : nullptr;
  return e;
}

void EmitError(const Status& status, const std::string& next) {
  nlohmann::ordered_json fields;
  fields["exit_code"] = ExitCodeFor(status);
  fields["error"] = ErrorFields(status);
  fields["next"] = TextOrNull(next);
  EmitJson("error", fields);
}

const char* OutcomeName(ItemOutcome outcome) {
  switch (outcome) {
    case ItemOutcome::kApplied:
      return "applied";
    case ItemOutcome::kFailed:
      return "failed";
    case ItemOutcome::kFailedOptional:
      return "failed-optional";
    case ItemOutcome::kSkipped:
      return "skipped";
  }
  return "failed";
}

void JsonReporter::Banner(const std::string& text) {
  EmitJson("banner", {{"database", database_}, {"text", text}});
}

void JsonReporter::ItemStarted(const Item& item, size_t index, size_t count) {
  index_ = index;
  count_ = count;
  EmitJson("item-started", {{"database", database_},
                            {"version", item.version.ToString()},
                            {"description", item.description},
                            {"file", "items/" + item.file_name},
                            {"index", index},
                            {"count", count}});
}

void JsonReporter::ItemFinished(const Item& item, ItemOutcome outcome,
                                std::chrono::milliseconds elapsed, const Status& error) {
  EmitJson("item-finished", {{"database", database_},
                             {"version", item.version.ToString()},
                             {"description", item.description},
                             {"file", "items/" + item.file_name},
                             {"index", index_},
                             {"count", count_},
                             {"outcome", OutcomeName(outcome)},
                             {"elapsed_ms", elapsed.count()},
                             {"error", ErrorFields(error)}});
}

void JsonReporter::Note(const std::string& text) {
  EmitJson("note", {{"database", database_}, {"text", text}});
}

void JsonReporter::ChecksRan(const Plan& checked, const CheckReport& report) {
  if (report.problems() == 0) return;
  nlohmann::ordered_json fields = CheckReportJson(report);
  fields["missing"] = false;
  fields["exit_code"] = ExitCodeFor(Status(Code::kCheckFailed, ""));
  fields["next"] = nullptr;
  EmitJson("check", fields);
}

}  // namespace ratchet::tool
