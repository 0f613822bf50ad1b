#include "run_support.h"

#include <algorithm>

#include "migrate/drift.h"

namespace migrate {

void RefuseOnFindings(std::vector<Finding> findings) {
  std::erase_if(findings, [](const Finding& f) { return !f.Blocking(); });
  if (findings.empty()) return;
  // Repair outranks drift: an interrupted migration must be looked at first.
  auto worst = std::find_if(findings.begin(), findings.end(),
                            [](const Finding& f) { return f.kind == Finding::Kind::kStarted; });
  ErrorCode code = worst != findings.end() ? ErrorCode::kNeedsRepair : ErrorCode::kDrift;
  std::string message = "nothing was run: ";
  for (const Finding& f : findings) message += "\n  " + f.message;
  throw Error(code, message);
}

std::string NewestVersion(const std::vector<HistoryRow>& history) {
  std::string newest;
  for (const HistoryRow& row : history) {
    if (IsApplied(row.state) && (newest.empty() || CompareVersions(row.version, newest) > 0)) {
      newest = row.version;
    }
  }
  return newest;
}

void RecordSnapshot(Driver& driver, const std::string& event, const std::string& version,
                    const LockRequest& lease) {
  driver.WriteSnapshot(SnapshotOf(driver, event, version), lease);
}

}  // namespace migrate
