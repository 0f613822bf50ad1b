// The Runner is the one orchestrator of `run`, `down` and `status`: verified bundle →
// metadata → lock → history (read after the lock) → plan → refuse on drift → apply each
// step through the driver, newest state committed step by step → release the lock.
// A `run` or `status` on a database that has every migration of the bundle (IsComplete)
// stops after reading the history: no lock, no write, no parse of the manifest's entries.
#ifndef MIGRATE_RUNNER_H_
#define MIGRATE_RUNNER_H_

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "migrate/bundle.h"
#include "migrate/driver.h"
#include "migrate/planner.h"

namespace migrate {

// Receives progress as it happens, so a long run prints one line per migration.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnLockWait(const LockHolder& /*holder*/) {}
  virtual void OnStepStart(const Step& /*step*/) {}
  virtual void OnStepDone(const Step& /*step*/, long long /*duration_ms*/) {}
  // A finding that does not stop the run (a reformatted file).
  virtual void OnNotice(const Finding& /*finding*/) {}
};

struct RunOptions {
  std::optional<std::string> to;  // run: apply up to this version
  std::chrono::milliseconds lock_wait{std::chrono::seconds(60)};
  std::chrono::milliseconds lease{std::chrono::seconds(60)};
  std::optional<std::chrono::milliseconds> lock_timeout;       // default for each migration
  std::optional<std::chrono::milliseconds> statement_timeout;  // default for each migration
  bool dry_run = false;                                        // plan and report, change nothing
  // When set (by a signal handler), the run stops after the migration in progress and throws
  // Error(kInterrupted); the lock is released as on any other error.
  const std::atomic<bool>* stop = nullptr;
};

struct StepSummary {
  std::string version;
  std::string slug;
  Direction direction = Direction::kUp;
  long long duration_ms = 0;
};

struct RunResult {
  std::vector<StepSummary> steps;  // done (or, on a dry run, planned)
};

// Applies pending migrations; without `to`, a complete database returns no steps before
// taking the lock. Throws Error: kDrift or kNeedsRepair before changing anything
// when the plan has findings; kLockTimeout; kMigrationFailed for the failing step (earlier
// steps stay applied); kCorruptBundle, kConnection.
RunResult RunUp(Driver& driver, const Bundle& bundle, const RunOptions& options,
                RunObserver& observer);

// The steps `run` would apply now, in order, read without the lock and without writing.
// Throws like RunUp when the plan has findings.
std::vector<Step> PreviewUp(Driver& driver, const Bundle& bundle, const RunOptions& options);

// Reverts applied migrations, newest first. Throws like RunUp, and Error(kUsage) when a step
// to revert is irreversible (before reverting anything).
RunResult RunDown(Driver& driver, const Bundle& bundle, const DownTarget& target,
                  const RunOptions& options, RunObserver& observer);

// Resolves an interrupted non-transactional migration under the lock as `action` says:
// recorded as applied (it was finished by hand), or its history row deleted (it was undone by
// hand, and the next run applies it again). Throws Error(kUsage) when `version` has no
// interrupted row.
void RunRepair(Driver& driver, const std::string& version, RepairAction action,
               const RunOptions& options);

struct StatusEntry {
  enum class State { kApplied, kPending, kStarted, kMissing };
  State state = State::kPending;
  std::string version;
  std::string slug;
  std::optional<HistoryRow> row;  // for applied, started and missing entries
};

struct StatusReport {
  Capabilities capabilities;
  std::vector<StatusEntry> entries;  // in version order
  std::vector<Finding> findings;
  std::optional<LockHolder> lock;
};

// Reads history and lock without writing anything.
StatusReport GetStatus(Driver& driver, const Bundle& bundle);

// "applied" and "started" (the history's own words, HistoryStateName), "pending", "missing".
std::string_view StatusStateName(StatusEntry::State state);

}  // namespace migrate

#endif  // MIGRATE_RUNNER_H_
