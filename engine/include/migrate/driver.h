// A Driver is one open connection to one target database. It executes, records, locks and
// translates errors; it never decides policy (ordering, drift, lock waiting, retries and the
// protocol of applying a step live in the engine), never reads environment variables and never
// rewrites user SQL.
//
// How to implement a driver:
//   1. Implement every method below, and the StepSink primitives (apply.h), with the contract
//      written on them. Keep the bookkeeping SQL as pure functions of the table names
//      (drivers/<db>/<db>_records.cc), so that it can be read, tested and rendered alone.
//   2. Quote every table name with QualifiedName::Quoted.
//   3. Catch your library's exceptions at this boundary and throw migrate::Error with the
//      right ErrorCode, the SQLSTATE or result code, and the file:line:column of a failing
//      statement (Step::Location helps).
//   4. Register the URL scheme and the dialect in drivers/registry.cc and pass
//      tests/conformance.
// Methods are not thread-safe: one Driver is used by one thread.
#ifndef MIGRATE_DRIVER_H_
#define MIGRATE_DRIVER_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "migrate/apply.h"
#include "migrate/catalog.h"
#include "migrate/dialect.h"
#include "migrate/error.h"
#include "migrate/progress.h"
#include "migrate/records.h"

namespace migrate {

struct LockAttempt {
  bool acquired = false;
  std::optional<LockHolder> holder;  // the current holder when not acquired (if readable)
};

struct Capabilities {
  std::string name;            // "sqlite", "postgres"
  std::string server_version;  // e.g. "3.40.1", "17.2"
  // PostgreSQL's server_version_num (170002 for 17.2), known from the connection without a
  // query; 0 when the database has none (SQLite).
  int server_version_num = 0;
};

// A warning when `server` is a PostgreSQL server older than `postgres_version`, the version
// the migrations are written for (its newer statements would fail there); nullopt otherwise.
// The engine's comparison: drivers only report their version.
std::optional<std::string> OlderServerWarning(const Capabilities& server, int postgres_version);

// What `migrate repair` records about one migration.
enum class RepairAction {
  kMarkApplied,  // an interrupted one was finished by hand: record it as applied
  kForget,       // an interrupted one was undone by hand: delete its row, so run applies it
  kAccept,       // an applied file was changed on purpose: record the new checksums
};

struct RepairRequest {
  std::string version;
  RepairAction action = RepairAction::kMarkApplied;
  // kAccept: the up file's checksum and fingerprint and the down file's checksum now in the
  // bundle, recorded in place of the applied ones.
  std::string checksum;
  std::string down_checksum;
  std::string fingerprint;
  std::string detail;  // the log row's detail: what was done, and for kAccept old -> new
};

// A dry run that really runs (docs/design.md §13): steps execute against the target's real
// schema and data, each after the ones before it, and nothing of them remains. PostgreSQL:
// one transaction, rolled back when the rehearsal ends (DDL locks are held until then).
// SQLite: a copy of the database made with the online backup API, deleted at the end.
// Neither writes migrate's tables of the target nor takes its lock.
struct Rehearsed {
  long long ms = 0;
  // Non-empty: the step could not be rehearsed here, and why (e.g. on PostgreSQL it uses an
  // enum value an earlier step of the same transaction added); the rehearsal goes no further.
  std::string not_rehearsed;
};

class Rehearsal {
 public:
  // Undoes everything: rolls the transaction back, or deletes the copy. Never throws.
  virtual ~Rehearsal() = default;
  // Why `step` cannot be rehearsed here, without running it ("" when it can): on PostgreSQL
  // a non-transactional step, whose statements refuse a transaction block.
  virtual std::string WhyNotRehearsable(const Step& step) const = 0;
  // Runs `step` as Apply would, and checks at its end what its commit would check. Throws
  // Error(kMigrationFailed) at the failing statement; the rehearsal can go no further then.
  virtual Rehearsed Rehearse(const Step& step) = 0;
};

class Driver {
 public:
  virtual ~Driver() = default;

  virtual Capabilities GetCapabilities() = 0;
  // The dialect that splits files for this database.
  virtual const Dialect& GetDialect() const = 0;

  // Creates the history, lock and log tables if missing. Safe when many runners do it at once.
  // Throws Error(kConnection) or Error(kMigrationFailed) when it cannot.
  virtual void EnsureMetadata() = 0;

  // The history table in version order; empty when it does not exist yet. Never writes.
  virtual std::vector<HistoryRow> ReadHistory() = 0;

  // One attempt, without waiting: takes the lock row when it is free or its lease expired.
  virtual LockAttempt TryLock(const LockRequest& request) = 0;
  // Frees the lock row if `request` holds it. Never throws.
  virtual void ReleaseLock(const LockRequest& request) noexcept = 0;
  // Frees the lock row whoever holds it; returns who held it.
  virtual std::optional<LockHolder> ForceUnlock() = 0;
  // The current holder, if any. Never writes.
  virtual std::optional<LockHolder> ReadLock() = 0;

  // The primitives that ApplyStep (apply.h) composes into the protocol of applying one
  // migration. Valid as long as the driver is.
  virtual StepSink& Steps() = 0;

  // Runs `step` with ApplyStep over Steps(): returns its duration in milliseconds.
  // REQUIRES: `lease` holds the lock. Throws Error(kLockLost) when it no longer does (nothing
  // is committed then), Error(kMigrationFailed) with the failing statement's location.
  long long Apply(const Step& step, const LockRequest& lease);
  // Runs `steps` with ApplySteps over Steps(), in one transaction (--single-transaction):
  // returns their durations. Throws as Apply does; then none of them is applied.
  std::vector<long long> ApplyAll(const std::vector<Step>& steps, const LockRequest& lease);

  // Every row of another tool's table `table` (a name without schema resolves as the
  // database resolves it: PostgreSQL's search_path), `columns` read as text, for
  // `baseline --from` (tool_history.h). nullopt when the table does not exist. Never writes.
  // Throws Error(kConnection) when it cannot read it, a missing column included.
  virtual std::optional<std::vector<TextRow>> ReadForeignTable(
      const QualifiedName& table, const std::vector<std::string>& columns) = 0;

  // The user schema (catalog.h): migrate's own tables, system objects and extension members
  // left out. Never writes.
  virtual Catalog ReadCatalog() = 0;

  // The newest row of the schema table, if any (none before the first run, or when the table
  // does not exist yet). Never writes.
  virtual std::optional<SchemaSnapshot> ReadSnapshot() = 0;
  // Stores `snapshot` (and a log row when its `audit` is set), keeping the newest
  // kSnapshotsKept. REQUIRES: EnsureMetadata ran; `lease` holds the lock. Throws
  // Error(kLockLost) when it no longer does.
  virtual void WriteSnapshot(const SchemaSnapshot& snapshot, const LockRequest& lease) = 0;

  // A script for the database's own client (psql) that applies `steps` exactly as Apply
  // would, with `actor` as the holder: for `migrate plan --format sql`. Never writes.
  // Throws Error(kUsage) when this database has no such client workflow.
  virtual std::string RenderScript(const std::vector<Step>& steps, const LockRequest& actor) = 0;

  // Cancels the statement in progress, if any (PostgreSQL: a cancel request; SQLite:
  // sqlite3_interrupt); it then fails as if it had failed on its own. The one method that may
  // be called from another thread, while a step runs. Never throws.
  virtual void Interrupt() noexcept = 0;

  // A probe of what this connection's statement in progress is doing (progress.h), for
  // another thread to read while a step runs; nullptr when the database shows nothing of the
  // kind (the default; SQLite). Opens no connection (the probe does, on its first Read) and
  // never throws.
  virtual std::unique_ptr<ProgressProbe> OpenProgressProbe() { return nullptr; }

  // Starts a rehearsal of steps on this database (see Rehearsal). Throws Error(kConnection)
  // when it cannot (SQLite: no room for the copy).
  virtual std::unique_ptr<Rehearsal> BeginRehearsal() = 0;

  // Records what `request` says of one history row, with a log row.
  // REQUIRES: `lease` holds the lock; the row exists (started for kMarkApplied and kForget).
  virtual void Repair(const RepairRequest& request, const LockRequest& lease) = 0;
};

}  // namespace migrate

#endif  // MIGRATE_DRIVER_H_
