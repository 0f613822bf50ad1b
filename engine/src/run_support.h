// What the run, dry run, repair and baseline orchestrations share (runner.cc, dry_run.cc,
// repair.cc, baseline.cc): refusing on blocking findings, preparing steps, recording a schema
// snapshot.
#ifndef MIGRATE_SRC_RUN_SUPPORT_H_
#define MIGRATE_SRC_RUN_SUPPORT_H_

#include <string>
#include <vector>

#include "migrate/bundle.h"
#include "migrate/driver.h"
#include "migrate/planner.h"
#include "migrate/runner.h"

namespace migrate {

// Throws Error(kNeedsRepair) or Error(kDrift) listing every blocking finding ("nothing was
// run"); returns when there is none.
void RefuseOnFindings(std::vector<Finding> findings);

// The Step of `planned`; `sql`: the file's bytes when already read and checked, else they are
// read (and checked) here.
Step StepOf(const Bundle& bundle, const Driver& driver, const PlannedStep& planned,
            const RunOptions& options, std::string* sql = nullptr);

// Every file that will run, checked against the manifest before the first one runs. The bytes
// checked are the bytes run when they fit in kKeptBytes (returned); beyond, memory stays
// bounded by one file and each is read and checked again when it runs (nothing returned).
std::vector<std::string> CheckFiles(const Bundle& bundle, const Plan& plan);

// Throws Error(kInterrupted) when `options.stop` was set, naming `planned` and the `done`
// steps before it.
void StopIfAsked(const RunOptions& options, const PlannedStep& planned, std::size_t done);

// `run --dry-run` and `down --dry-run`: the steps of `plan` rehearsed on the target
// (Driver::BeginRehearsal), stopping before the first one that cannot be. Nothing remains of
// them. Throws the failing step's Error, saying that nothing changed.
RunResult RehearsePlan(Driver& driver, const Bundle& bundle, const Plan& plan,
                       const RunOptions& options, RunObserver& observer);

// Stores the live schema as the snapshot of `event`, taken with the history as it is now
// (read again: it belongs to the newest applied version). `audit`, when not empty, replaces
// the log row's default text. REQUIRES: `lease` holds the lock.
void RecordSnapshot(Driver& driver, const std::string& event, const LockRequest& lease,
                    const std::string& audit = "");

}  // namespace migrate

#endif  // MIGRATE_SRC_RUN_SUPPORT_H_
