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
#include <optional>
#include <string>
#include <vector>

#include "migrate/apply.h"
#include "migrate/dialect.h"
#include "migrate/error.h"
#include "migrate/records.h"

namespace migrate {

struct LockAttempt {
  bool acquired = false;
  std::optional<LockHolder> holder;  // the current holder when not acquired (if readable)
};

// One object of the user schema: "table", "index", "view", "trigger", "column",
// "constraint", "type", "function"...; definitions are the database's own rendering.
struct SchemaObject {
  std::string kind;
  std::string name;
  std::string definition;

  bool operator==(const SchemaObject&) const = default;
};

struct Capabilities {
  std::string name;            // "sqlite", "postgres"
  std::string server_version;  // e.g. "3.40.1"
};

// What `migrate repair` says was done by hand to an interrupted non-transactional migration.
enum class RepairAction {
  kMarkApplied,  // it was finished by hand: record it as applied
  kForget,       // it was undone by hand: delete its history row, so the next run applies it
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

  // The user schema, migrate's own tables left out, sorted by kind then name: the same
  // schema always gives the same list. Never writes.
  virtual std::vector<SchemaObject> SnapshotSchema() = 0;

  // A script for the database's own client (psql) that applies `steps` exactly as Apply
  // would, with `actor` as the holder: for `migrate plan --format sql`. Never writes.
  // Throws Error(kUsage) when this database has no such client workflow.
  virtual std::string RenderScript(const std::vector<Step>& steps, const LockRequest& actor) = 0;

  // Repairs an interrupted non-transactional migration as `action` says, with a log row.
  // REQUIRES: `lease` holds the lock; `version` has a started row.
  virtual void Repair(const std::string& version, RepairAction action,
                      const LockRequest& lease) = 0;
};

}  // namespace migrate

#endif  // MIGRATE_DRIVER_H_
