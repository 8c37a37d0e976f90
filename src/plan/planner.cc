// The planner: pending items in version order, same-as coverage, the
// optional cascade, drift and unknown versions.
#include <algorithm>
#include <functional>
#include <map>
#include <set>

#include <fmt/format.h>

#include "ratchet/plan.h"

namespace ratchet {

const char* PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kPrepared: return "prepared";
    case Phase::kApplied: return "applied";
    case Phase::kFailed: return "failed";
  }
  return "?";
}

std::optional<Phase> ParsePhase(std::string_view text) {
  if (text == "prepared") return Phase::kPrepared;
  if (text == "applied") return Phase::kApplied;
  if (text == "failed") return Phase::kFailed;
  return std::nullopt;
}

bool Plan::IsEffectivelyOptional(const Version& v) const {
  return std::find(effectively_optional.begin(), effectively_optional.end(), v) !=
         effectively_optional.end();
}

namespace {

// Versions related by same-as form groups: applying one applies them all.
std::map<Version, std::set<Version>> SameAsGroups(const std::vector<const Item*>& items) {
  std::map<Version, Version> parent;
  std::function<Version(const Version&)> find = [&](const Version& v) {
    auto it = parent.find(v);
    if (it == parent.end() || it->second == v) return v;
    Version root = find(it->second);
    parent[v] = root;
    return root;
  };
  for (const Item* item : items) parent.emplace(item->version, item->version);
  for (const Item* item : items) {
    if (!item->same_as) continue;
    parent.emplace(*item->same_as, *item->same_as);
    parent[find(item->version)] = find(*item->same_as);
  }
  std::map<Version, std::set<Version>> members;
  for (const auto& [v, _] : parent) members[find(v)].insert(v);
  std::map<Version, std::set<Version>> groups;
  for (const auto& [v, _] : parent) groups[v] = members[find(v)];
  return groups;
}

}  // namespace

Plan MakePlan(const UpgradeSet& set, EngineKind engine, const std::vector<AppliedItem>& applied,
              const PlanOptions& options) {
  Plan plan;
  std::vector<const Item*> items = set.ItemsFor(engine);
  // Item positions sorted by version, so that a version finds its item by
  // binary search, and what the plan knows of each item is a flag at its
  // position rather than a node in a tree.
  std::vector<size_t> by_version(items.size());
  for (size_t k = 0; k < items.size(); ++k) by_version[k] = k;
  auto earlier = [&](size_t a, size_t b) { return items[a]->version < items[b]->version; };
  // A loaded set's items are already in version order.
  if (!std::is_sorted(by_version.begin(), by_version.end(), earlier)) {
    std::stable_sort(by_version.begin(), by_version.end(), earlier);
  }
  constexpr size_t kNone = static_cast<size_t>(-1);
  auto find = [&](const Version& v) {
    // The last item with the version, as a map filled in order would keep.
    auto it = std::upper_bound(by_version.begin(), by_version.end(), v,
                               [&](const Version& x, size_t k) { return x < items[k]->version; });
    if (it == by_version.begin() || items[*(it - 1)]->version != v) return kNone;
    return *(it - 1);
  };

  std::vector<char> done(items.size(), 0);  // applied, or planned earlier in this plan
  for (const AppliedItem& a : applied) {
    size_t k = find(a.version);
    if (k == kNone) {
      plan.unknown.push_back(a);
      continue;
    }
    if (a.phase != Phase::kApplied) continue;
    const Item* item = items[k];
    done[k] = 1;
    if (a.checksum != item->checksum) {
      plan.drift.push_back({a.version, item->file_name, a.checksum, item->checksum});
    }
  }
  auto is_done = [&](const Version& v) {
    size_t k = find(v);
    return k != kNone && done[k];
  };

  // Most sets use no same-as at all; they skip building the groups.
  bool any_same_as = std::any_of(items.begin(), items.end(),
                                 [](const Item* item) { return item->same_as.has_value(); });
  std::map<Version, std::set<Version>> groups;
  if (any_same_as) groups = SameAsGroups(items);
  auto covered = [&](const Version& v) {
    auto group = groups.find(v);
    if (group == groups.end()) return false;
    for (const Version& other : group->second) {
      if (other != v && is_done(other)) return true;
    }
    return false;
  };

  // Flags in `marks` the item at `start` and every item it reaches through
  // requires; a version without an item stops the walk.
  auto mark_with_requires = [&](size_t start, std::vector<char>& marks) {
    std::vector<size_t> stack = {start};
    while (!stack.empty()) {
      size_t k = stack.back();
      stack.pop_back();
      if (marks[k]) continue;
      marks[k] = 1;
      for (const Version& r : items[k]->requires_versions) {
        size_t rk = find(r);
        if (rk != kNone && !marks[rk]) stack.push_back(rk);
      }
    }
  };

  // Selected: every item up to the target; requires are earlier by
  // construction, but are pulled in explicitly so a target never runs an
  // item without what it needs.
  std::vector<char> selected(items.size(), 0);
  for (const Item* item : items) {
    if (!options.target || item->version <= *options.target) {
      mark_with_requires(find(item->version), selected);
    }
  }

  for (const Item* item : items) {
    size_t k = find(item->version);
    if (!selected[k] || done[k]) continue;
    if (covered(item->version)) {
      plan.covered.push_back(item);
      continue;
    }
    plan.pending.push_back(item);
    done[k] = 1;
  }

  // The optional cascade: an optional item that a non-optional pending item
  // needs, directly or through others, is required.
  std::vector<char> required(items.size(), 0);
  for (const Item* item : plan.pending) {
    if (!item->optional) mark_with_requires(find(item->version), required);
  }
  for (const Item* item : plan.pending) {
    if (item->optional && !required[find(item->version)]) {
      plan.effectively_optional.push_back(item->version);
    }
  }
  return plan;
}

Result<Version> ResolveTarget(const UpgradeSet& set, std::string_view text) {
  if (const Release* r = set.FindRelease(text)) return r->head;
  auto v = Version::Parse(text);
  if (!v) {
    std::string names;
    for (const Release& r : set.project.releases) names += (names.empty() ? "" : ", ") + r.name;
    return Status(Code::kInvalidArgument,
                  fmt::format("--to {}: neither a version (e.g. V3, V2.1) nor a release in "
                              "ratchet.toml{}",
                              text, names.empty() ? "" : " (" + names + ")"));
  }
  bool known = std::any_of(set.items.begin(), set.items.end(),
                           [&](const Item& i) { return i.version == *v; });
  if (!known) {
    return Status(Code::kInvalidArgument,
                  fmt::format("--to {}: no item has version {}", text, v->ToString()));
  }
  return *v;
}

std::string CurrentRelease(const UpgradeSet& set, EngineKind engine,
                           const std::vector<AppliedItem>& applied) {
  const std::vector<Release>& releases = set.project.releases;
  if (releases.empty()) return "";
  // A target selects a superset of what any earlier target selects, so the
  // complete releases are exactly those whose head is at most the newest
  // complete head. Find that head with as few plans as possible: one when
  // the database is up to date, a binary search over the heads otherwise.
  std::vector<Version> heads;
  for (const Release& r : releases) heads.push_back(r.head);
  std::sort(heads.begin(), heads.end());
  heads.erase(std::unique(heads.begin(), heads.end()), heads.end());
  auto complete = [&](const std::optional<Version>& target) {
    PlanOptions options;
    options.target = target;
    return MakePlan(set, engine, applied, options).pending.empty();
  };
  std::optional<Version> newest;
  if (complete(std::nullopt)) {
    newest = heads.back();
  } else {
    size_t lo = 0, hi = heads.size();  // heads[0, lo) complete, heads[hi, end) not
    while (lo < hi) {
      size_t mid = lo + (hi - lo) / 2;
      if (complete(heads[mid])) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo > 0) newest = heads[lo - 1];
  }
  if (!newest) return "";
  // The first release declared with that head, as when each was tried in turn.
  for (const Release& r : releases) {
    if (r.head == *newest) return r.name;
  }
  return "";
}

}  // namespace ratchet
