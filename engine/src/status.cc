// `migrate status`: history and bundle side by side, without writing anything.
#include <algorithm>

#include "migrate/runner.h"

namespace migrate {
namespace {

StatusEntry::State StateOf(HistoryState state) {
  switch (state) {
    case HistoryState::kStarted:
      return StatusEntry::State::kStarted;
    case HistoryState::kBaseline:
      return StatusEntry::State::kBaseline;
    case HistoryState::kApplied:
      break;
  }
  return StatusEntry::State::kApplied;
}

}  // namespace

StatusReport GetStatus(Driver& driver, const Bundle& bundle,
                       std::optional<std::vector<HistoryRow>> read) {
  StatusReport report;
  report.capabilities = driver.GetCapabilities();
  std::string dialect(driver.GetDialect().Name());
  std::vector<HistoryRow> history = read ? std::move(*read) : driver.ReadHistory();
  report.lock = driver.ReadLock();
  if (IsComplete(bundle.header(), history, dialect)) {
    report.entries.reserve(history.size());
    for (HistoryRow& row : history) {
      std::string version = row.version, slug = row.slug;
      report.entries.push_back({StateOf(row.state), version, slug, std::move(row)});
    }
    return report;
  }
  report.findings = FindDrift(bundle.manifest(), history, dialect);
  report.entries.reserve(bundle.manifest().migrations.size());
  for (const ManifestEntry& e : bundle.manifest().migrations) {
    if (!e.Find(Direction::kUp, dialect)) continue;
    StatusEntry s{StatusEntry::State::kPending, e.version, e.slug, std::nullopt};
    report.entries.push_back(std::move(s));
  }
  std::vector<StatusEntry> missing;
  for (const HistoryRow& row : history) {
    auto it = std::lower_bound(report.entries.begin(), report.entries.end(), row.version,
                               [](const StatusEntry& s, const std::string& v) {
                                 return CompareVersions(s.version, v) < 0;
                               });
    if (it == report.entries.end() || CompareVersions(it->version, row.version) != 0) {
      missing.push_back({StatusEntry::State::kMissing, row.version, row.slug, row});
      continue;
    }
    it->state = StateOf(row.state);
    it->row = row;
  }
  for (StatusEntry& m : missing) report.entries.push_back(std::move(m));
  std::stable_sort(report.entries.begin(), report.entries.end(),
                   [](const StatusEntry& a, const StatusEntry& b) {
                     return CompareVersions(a.version, b.version) < 0;
                   });
  return report;
}

std::string_view StatusStateName(StatusEntry::State state) {
  switch (state) {
    case StatusEntry::State::kApplied:
      return HistoryStateName(HistoryState::kApplied);
    case StatusEntry::State::kPending:
      return "pending";
    case StatusEntry::State::kStarted:
      return HistoryStateName(HistoryState::kStarted);
    case StatusEntry::State::kMissing:
      return "missing";
    case StatusEntry::State::kBaseline:
      return HistoryStateName(HistoryState::kBaseline);
  }
  return "pending";
}

}  // namespace migrate
