// How one migration is applied (docs/design.md §4), written once for every driver and for the
// psql script of `plan --format sql`:
//   - a transactional step runs its statements, then records its history row, its log row and
//     the lease check, all in one transaction: a failure leaves nothing, a crash leaves nothing
//     to repair;
//   - a non-transactional step records `started` (in a transaction), runs statement by
//     statement outside one, recording its progress after each, then records its final state
//     (in a transaction). An interruption leaves a `started` row that blocks later runs until
//     `migrate repair`.
// ApplyStep is that protocol; a StepSink supplies its primitives: a driver executes them, a
// script renderer writes them down.
#ifndef MIGRATE_APPLY_H_
#define MIGRATE_APPLY_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "migrate/dialect.h"
#include "migrate/naming.h"
#include "migrate/records.h"

namespace migrate {

// One migration to apply or revert, with everything a driver needs to run it.
struct Step {
  std::string version;
  std::string slug;
  Direction direction = Direction::kUp;
  std::string file;  // bundle file name, for error locations
  std::string sql;   // the whole file
  std::vector<Statement> statements;
  bool transactional = true;
  std::optional<std::chrono::milliseconds> lock_timeout;
  std::optional<std::chrono::milliseconds> statement_timeout;
  std::string checksum;       // of the up file
  std::string down_checksum;  // of the down file, empty when none
  std::string fingerprint;    // of the up file, for this database's dialect
  std::string tool_version;
  int resume_from = 0;  // for a non-transactional step: statements already done
  // How an up step's history row is recorded: kApplied, or kBaseline for `migrate baseline`
  // (no statement runs, the database had it already).
  HistoryState record_as = HistoryState::kApplied;
  std::string log_detail;  // the log row's detail; empty: the file name

  // The file:line:column of statement `index`, moved by `offset_in_statement` bytes.
  SourceLocation Location(std::size_t index, std::size_t offset_in_statement = 0) const;
  // The text of statement `index`.
  std::string_view StatementText(std::size_t index) const;
  // The event of its log row: "up", "down" or "baseline".
  std::string_view LogEvent() const;
  // The detail of its log row: log_detail, else the file.
  const std::string& LogDetail() const { return log_detail.empty() ? file : log_detail; }
};

// The primitives of applying a step. Each throws migrate::Error (never its library's
// exceptions); the `step` argument names the file in messages.
class StepSink {
 public:
  virtual ~StepSink() = default;

  // Opens a transaction.
  virtual void Begin() = 0;
  // Opens a transactional step's transaction and checks in it, before any of the step's
  // statements runs, that `lease` still holds the lock: a runner whose lock was freed or
  // taken over while it was stopped runs nothing more. Throws Error(kLockLost), leaving no
  // transaction open, when it does not. It costs no round trip of its own: PostgreSQL sends
  // the check with BEGIN, SQLite reads its own file.
  virtual void BeginChecked(const LockRequest& lease) = 0;
  // Applies the step's lock_timeout and statement_timeout to the open transaction only.
  virtual void SetLocalTimeouts(const Step& step) = 0;
  // Commits. Throws Error(kConnection) when the connection broke and the outcome is unknown.
  virtual void Commit(const Step& step) = 0;
  // Rolls back the open transaction, if any. Never throws.
  virtual void Rollback() noexcept = 0;

  // Runs statement `index`. Throws Error(kMigrationFailed) at its file:line:column.
  virtual void Run(const Step& step, std::size_t index) = 0;

  // In a transaction: checks the lease, then marks the step started (up: its history row as
  // `started` at step.resume_from statements; down: the applied row back to `started` at 0).
  // Throws Error(kLockLost) when the lease is lost.
  virtual void RecordStarted(const Step& step, const LockRequest& lease) = 0;
  // Outside a transaction, before a non-transactional step's statements: its timeouts for the
  // session.
  virtual void BeginStatements(const Step& step) = 0;
  // Outside a transaction: `done` statements of a non-transactional step are complete.
  virtual void RecordProgress(const Step& step, int done) = 0;
  // After a non-transactional step's statements: resets the session's timeouts, and refuses
  // (Error(kMigrationFailed)) a transaction the file left open.
  virtual void EndStatements(const Step& step) = 0;
  // In a transaction: the finished step's history row (up: as step.record_as; down:
  // deleted), its log row (event "up", "down" or "baseline"; detail step.log_detail or the
  // file), and the lease checked and renewed. Throws Error(kLockLost) when the lease is lost.
  virtual void RecordDone(const Step& step, const LockRequest& lease, long long ms) = 0;
};

// `run --single-transaction`: every step of `steps` (all transactional) and its records in one
// transaction, checked against `lease` at its BEGIN and at each record: all or nothing.
// Returns each step's duration in milliseconds as seen here when it was recorded (about
// nothing for a sink that sends the transaction whole at its commit: the runner then reads what
// the database recorded). REQUIRES: no step is non-transactional (the engine refuses such a
// plan before anything runs).
std::vector<long long> ApplySteps(StepSink& sink, const std::vector<Step>& steps,
                                  const LockRequest& lease);

// Applies `step` through `sink` by the protocol above; returns its duration in milliseconds.
// A sink may gather a transactional step's calls from BeginChecked and send them at Commit
// (failures then surface at Commit; `ms` given to RecordDone is what had elapsed before any of
// it ran, and such a sink measures the duration itself).
// A transaction left open by a failure is rolled back before the error propagates.
long long ApplyStep(StepSink& sink, const Step& step, const LockRequest& lease);

}  // namespace migrate

#endif  // MIGRATE_APPLY_H_
