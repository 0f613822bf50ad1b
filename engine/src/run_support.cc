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

void RecordSnapshot(Driver& driver, const std::string& event, const LockRequest& lease,
                    const std::string& audit) {
  SchemaSnapshot snapshot = SnapshotOf(driver, event, driver.ReadHistory());
  snapshot.audit = audit;
  driver.WriteSnapshot(snapshot, lease);
}

}  // namespace migrate
