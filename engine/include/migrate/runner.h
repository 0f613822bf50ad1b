// The Runner is the one orchestrator of `run`, `down`, `status` and `repair`
// (docs/design.md §7): verified bundle → metadata → lock → history (read after the lock) →
// plan → refuse on drift (files, then the live schema) → apply each step through the driver,
// newest state committed step by step → snapshot of the schema → release the lock.
// A `run` or `status` on a database that has every migration of the bundle (IsComplete)
// stops after reading the history: no lock, no write, no parse of the manifest's entries,
// no schema read.
#ifndef MIGRATE_RUNNER_H_
#define MIGRATE_RUNNER_H_

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "migrate/bundle.h"
#include "migrate/drift.h"
#include "migrate/driver.h"
#include "migrate/planner.h"

namespace migrate {

// Receives progress as it happens, so a long run prints one line per migration. Called on
// the thread that runs the steps.
class RunObserver {
 public:
  virtual ~RunObserver() = default;
  virtual void OnLockWait(const LockHolder& /*holder*/) {}
  virtual void OnStepStart(const Step& /*step*/) {}
  virtual void OnStepDone(const Step& /*step*/, long long /*duration_ms*/) {}
  // The step that OnStepStart announced failed (rolled back; a no-transaction one is left
  // started) or was interrupted: `error` is what the run throws next.
  virtual void OnStepFailed(const Step& /*step*/, const Error& /*error*/) {}
  // A finding that does not stop the run (a reformatted file, an allowed out-of-order one).
  virtual void OnNotice(const Finding& /*finding*/) {}
  // The live schema drifted and the policy is to warn; the run goes on.
  virtual void OnSchemaDrift(const DriftReport& /*report*/) {}
  // Something the user should know that does not stop the run (a drift check that could not
  // compare, a snapshot that could not be recorded after migrations committed).
  virtual void OnWarning(const std::string& /*message*/) {}
};

struct RunOptions {
  std::optional<std::string> to;  // run: apply up to this version
  std::chrono::milliseconds lock_wait{std::chrono::seconds(60)};
  std::chrono::milliseconds lease{std::chrono::seconds(60)};
  std::optional<std::chrono::milliseconds> lock_timeout;       // default for each migration
  std::optional<std::chrono::milliseconds> statement_timeout;  // default for each migration
  bool dry_run = false;  // rehearse on the target (Driver::BeginRehearsal), change nothing
  SchemaDriftPolicy schema_drift = SchemaDriftPolicy::kFail;  // when the live schema drifted
  bool allow_out_of_order = false;  // apply pending migrations older than the newest applied
  // `run --single-transaction` (transaction = "single"): every pending migration and its
  // records in one transaction, all or nothing; refused before anything runs when one of them
  // is -- migrate:no-transaction. Not for down, nor a dry run (one transaction already).
  bool single_transaction = false;
  int postgres_version = kDefaultPostgresVersion;  // the server the files are for (MakeStep)
  // When set (by a signal handler), the run stops after the migration in progress and throws
  // Error(kInterrupted); the lock is released as on any other error.
  const std::atomic<bool>* stop = nullptr;
  // The history as read beside the bundle's verification (cli/open_beside.h), before
  // anything else: RunUp's completeness check uses it instead of reading it again. Anything
  // that writes reads the history again under the lock.
  const std::vector<HistoryRow>* history = nullptr;
};

struct StepSummary {
  std::string version;
  std::string slug;
  Direction direction = Direction::kUp;
  long long duration_ms = 0;
};

struct RunResult {
  std::vector<StepSummary> steps;  // done (on a dry run: rehearsed, then undone)
  // A dry run stopped before this step: it cannot be rehearsed (a non-transactional step on
  // PostgreSQL), and the ones after it may depend on it.
  std::optional<StepSummary> not_rehearsed;
  std::string not_rehearsed_why;  // with not_rehearsed: why (Rehearsed::not_rehearsed)
  std::size_t not_reached = 0;    // with not_rehearsed: the planned steps after it
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

// Resolves an interrupted non-transactional migration under the lock as `action`
// (kMarkApplied or kForget) says: recorded as applied (it was finished by hand), or its
// history row deleted (it was undone by hand, and the next run applies it again); then a
// schema snapshot. Throws Error(kUsage) when `version` has no interrupted row.
void RunRepair(Driver& driver, const std::string& version, RepairAction action,
               const RunOptions& options);

// `repair V --accept`: an applied file of the bundle was changed on purpose (a reviewed edit):
// under the lock, its new checksums are recorded in place of the applied ones, with a log row
// saying who and old -> new. Throws Error(kUsage) when `version` is not applied or its files
// did not change.
void RunAccept(Driver& driver, const Bundle& bundle, const std::string& version,
               const RunOptions& options);

// `drift --accept`: under the lock, the live schema becomes the newest snapshot, with a log
// row. Returns the report of what was accepted.
DriftReport AcceptSchema(Driver& driver, const RunOptions& options);

struct StatusEntry {
  enum class State { kApplied, kPending, kStarted, kMissing, kBaseline };
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

// Reads history and lock without writing anything; `history`, when given, is the history
// already read (cli/open_beside.h).
StatusReport GetStatus(Driver& driver, const Bundle& bundle,
                       std::optional<std::vector<HistoryRow>> history = std::nullopt);

// "applied", "started" and "baseline" (the history's own words, HistoryStateName),
// "pending", "missing".
std::string_view StatusStateName(StatusEntry::State state);

}  // namespace migrate

#endif  // MIGRATE_RUNNER_H_
