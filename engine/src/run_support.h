// What the run, repair and baseline orchestrations share (runner.cc, repair.cc,
// baseline.cc): refusing on blocking findings, and recording a schema snapshot.
#ifndef MIGRATE_SRC_RUN_SUPPORT_H_
#define MIGRATE_SRC_RUN_SUPPORT_H_

#include <string>
#include <vector>

#include "migrate/driver.h"
#include "migrate/planner.h"

namespace migrate {

// Throws Error(kNeedsRepair) or Error(kDrift) listing every blocking finding ("nothing was
// run"); returns when there is none.
void RefuseOnFindings(std::vector<Finding> findings);

// Stores the live schema as the snapshot of `event`, taken with the history as it is now
// (read again: it belongs to the newest applied version). `audit`, when not empty, replaces
// the log row's default text. REQUIRES: `lease` holds the lock.
void RecordSnapshot(Driver& driver, const std::string& event, const LockRequest& lease,
                    const std::string& audit = "");

}  // namespace migrate

#endif  // MIGRATE_SRC_RUN_SUPPORT_H_
