// Snapshots as values: lookup, text and JSON forms, and the object-by-object
// difference between two of them.
#include "ratchet/snapshot.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "snapshot/snapshot_objects.h"

namespace ratchet {
namespace {

using nlohmann::ordered_json;

// A one-line summary of an object for "only in" lines: its definition when
// it has one, else its properties.
std::string Summary(const SchemaObject& object) {
  if (auto definition = object.Property("definition")) return *definition;
  std::string out;
  for (const auto& [name, value] : object.properties) {
    if (!out.empty()) out += "; ";
    out += name + " " + value;
  }
  return out;
}

bool Less(const SchemaObject& a, const SchemaObject& b) {
  int ra = KindRank(a.kind), rb = KindRank(b.kind);
  if (ra != rb) return ra < rb;
  if (a.kind != b.kind) return a.kind < b.kind;
  return a.key < b.key;
}

}  // namespace

int KindRank(std::string_view kind) {
  static constexpr std::string_view kOrder[] = {
      "schema",    "extension",  "type",    "domain", "sequence",          "table",
      "column",    "constraint", "index",   "view",   "materialized view", "function",
      "procedure", "aggregate",  "trigger", "policy"};
  for (size_t i = 0; i < std::size(kOrder); ++i) {
    if (kOrder[i] == kind) return static_cast<int>(i);
  }
  return static_cast<int>(std::size(kOrder));
}

SchemaObject& AddObject(Snapshot* snapshot, std::string kind, std::string key, std::string name) {
  SchemaObject object;
  object.kind = std::move(kind);
  object.key = std::move(key);
  object.name = std::move(name);
  snapshot->objects.push_back(std::move(object));
  return snapshot->objects.back();
}

void SortSnapshot(Snapshot* snapshot) {
  auto& objects = snapshot->objects;
  std::sort(objects.begin(), objects.end(), [](const SchemaObject& a, const SchemaObject& b) {
    if (Less(a, b) || Less(b, a)) return Less(a, b);
    return a.name < b.name;
  });
  // Two objects with one key (two identical constraints on a table) are
  // told apart by a counter, so that both are compared.
  bool renamed = false;
  for (size_t i = 0; i < objects.size();) {
    size_t j = i + 1;
    while (j < objects.size() && objects[j].kind == objects[i].kind &&
           objects[j].key == objects[i].key) {
      ++j;
    }
    for (size_t k = i + 1; k < j; ++k) {
      objects[k].key += fmt::format(" #{}", k - i + 1);
      renamed = true;
    }
    i = j;
  }
  if (renamed) std::stable_sort(objects.begin(), objects.end(), Less);
}

std::optional<std::string> SchemaObject::Property(std::string_view name) const {
  for (const auto& [key, value] : properties) {
    if (key == name) return value;
  }
  return std::nullopt;
}

const SchemaObject* Snapshot::Find(std::string_view kind, std::string_view key) const {
  for (const SchemaObject& object : objects) {
    if (object.kind == kind && object.key == key) return &object;
  }
  return nullptr;
}

std::string FormatSnapshot(const Snapshot& snapshot) {
  std::string out;
  for (const SchemaObject& object : snapshot.objects) {
    out += fmt::format("{} {}\n", object.kind, object.name);
    for (const auto& [name, value] : object.properties) {
      out += fmt::format("  {}: {}\n", name, value);
    }
  }
  return out;
}

std::string SnapshotToJson(const Snapshot& snapshot) {
  ordered_json j;
  j["engine"] = EngineName(snapshot.engine);
  j["objects"] = ordered_json::array();
  for (const SchemaObject& object : snapshot.objects) {
    ordered_json o;
    o["kind"] = object.kind;
    o["key"] = object.key;
    o["name"] = object.name;
    o["properties"] = ordered_json::object();
    for (const auto& [name, value] : object.properties) o["properties"][name] = value;
    j["objects"].push_back(std::move(o));
  }
  return j.dump(2) + "\n";
}

Result<Snapshot> SnapshotFromJson(std::string_view text) {
  Snapshot snapshot;
  try {
    ordered_json j = ordered_json::parse(text);
    std::string engine = j.at("engine").get<std::string>();
    if (engine == "sqlite") {
      snapshot.engine = EngineKind::kSqlite;
    } else if (engine == "postgresql") {
      snapshot.engine = EngineKind::kPostgres;
    } else {
      return Status(
          Code::kInvalidArgument,
          fmt::format("the snapshot's engine '{}' is neither sqlite nor postgresql", engine));
    }
    for (const ordered_json& o : j.at("objects")) {
      SchemaObject object;
      object.kind = o.at("kind").get<std::string>();
      object.key = o.at("key").get<std::string>();
      object.name = o.at("name").get<std::string>();
      for (const auto& [name, value] : o.at("properties").items()) {
        object.properties.emplace_back(name, value.get<std::string>());
      }
      snapshot.objects.push_back(std::move(object));
    }
  } catch (const std::exception& e) {
    return Status(Code::kInvalidArgument,
                  fmt::format("not a snapshot written by 'ratchet snapshot --json': {}", e.what()));
  }
  std::sort(snapshot.objects.begin(), snapshot.objects.end(), Less);
  return snapshot;
}

std::vector<Difference> DiffSnapshots(const Snapshot& before, const Snapshot& after) {
  std::vector<Difference> out;
  auto only = [&out](const SchemaObject& object, Difference::Change change) {
    Difference d;
    d.change = change;
    d.kind = object.kind;
    d.name = object.name;
    (change == Difference::Change::kOnlyBefore ? d.before : d.after) = Summary(object);
    out.push_back(std::move(d));
  };
  size_t i = 0, j = 0;
  const auto& a = before.objects;
  const auto& b = after.objects;
  while (i < a.size() || j < b.size()) {
    if (j >= b.size() || (i < a.size() && Less(a[i], b[j]))) {
      only(a[i++], Difference::Change::kOnlyBefore);
      continue;
    }
    if (i >= a.size() || Less(b[j], a[i])) {
      only(b[j++], Difference::Change::kOnlyAfter);
      continue;
    }
    const SchemaObject& x = a[i++];
    const SchemaObject& y = b[j++];
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const auto& p : x.properties) {
      if (seen.insert(p.first).second) names.push_back(p.first);
    }
    for (const auto& p : y.properties) {
      if (seen.insert(p.first).second) names.push_back(p.first);
    }
    for (const std::string& name : names) {
      std::optional<std::string> vx = x.Property(name);
      std::optional<std::string> vy = y.Property(name);
      if (vx == vy) continue;
      Difference d;
      d.kind = x.kind;
      d.name = x.name;
      d.property = name;
      d.before = vx;
      d.after = vy;
      out.push_back(std::move(d));
    }
  }
  return out;
}

std::string FormatDifference(const Difference& d, const DiffLabels& labels) {
  auto shown = [](const std::optional<std::string>& v) { return v ? *v : "(none)"; };
  switch (d.change) {
    case Difference::Change::kOnlyBefore:
      return fmt::format("{} {}: only in {} ({})", d.kind, d.name, labels.before, shown(d.before));
    case Difference::Change::kOnlyAfter:
      return fmt::format("{} {}: only in {} ({})", d.kind, d.name, labels.after, shown(d.after));
    case Difference::Change::kChanged:
      break;
  }
  return fmt::format("{} {}: {} {} → {}", d.kind, d.name, d.property, shown(d.before),
                     shown(d.after));
}

}  // namespace ratchet
