// A Driver is one open connection to one target database. It executes, records, locks and
// translates errors; it never decides policy (ordering, drift, lock waiting and retries live
// in the engine), never reads environment variables and never rewrites user SQL.
//
// How to implement a driver:
//   1. Implement every method below with the contract written on it.
//   2. Quote every table name you are given (they are validated, but quote anyway).
//   3. Catch your library's exceptions at this boundary and throw migrate::Error with the
//      right ErrorCode, the SQLSTATE or result code, and the file:line:column of a failing
//      statement (Step::Location helps).
//   4. Register the URL scheme in drivers/registry.cc and pass tests/conformance.
// Methods are not thread-safe: one Driver is used by one thread.
#ifndef MIGRATE_DRIVER_H_
#define MIGRATE_DRIVER_H_

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "migrate/dialect.h"
#include "migrate/error.h"
#include "migrate/naming.h"

namespace migrate {

// Names of the tables the engine keeps in the target database (DESIGN §4).
struct TableNames {
  std::string history = "migrate_history";
  std::string lock = "migrate_lock";
  std::string log = "migrate_log";
  std::string schema = "migrate_schema";
};

// Throws Error(kConfig) unless `name` matches [A-Za-z_][A-Za-z0-9_]{0,62}, optionally with a
// `schema.` prefix of the same form.
void ValidateTableName(const std::string& name);

enum class HistoryState { kApplied, kStarted };

// One row of the history table.
struct HistoryRow {
  std::string version;
  std::string slug;
  std::string checksum;
  std::string down_checksum;  // empty when there is no down
  HistoryState state = HistoryState::kApplied;
  std::string applied_at;  // database clock, ISO 8601 UTC
  long long duration_ms = 0;
  std::string applied_by;  // user@host:pid
  std::string tool_version;
  std::string run_id;
  int progress = 0;         // statements completed, for an interrupted non-transactional migration
  std::string fingerprint;  // Dialect::Fingerprint of the applied up file
};

// Puts `rows` in version order (compared numerically), as ReadHistory returns them; linear
// when they already are, which is how databases usually return them.
void SortByVersion(std::vector<HistoryRow>& rows);

// Who is running, and the lease it wants on the lock row.
struct LockRequest {
  std::string run_id;  // random per process run
  std::string user;
  std::string host;
  long long pid = 0;
  std::chrono::milliseconds lease{std::chrono::seconds(60)};

  std::string Holder() const;  // "user@host:pid"
};

// The row of the lock table as it is.
struct LockHolder {
  std::string holder;  // user@host:pid
  std::string run_id;
  std::string acquired_at;
  std::string expires_at;
};

struct LockAttempt {
  bool acquired = false;
  std::optional<LockHolder> holder;  // the current holder when not acquired (if readable)
};

// One migration to apply or revert, with everything the driver needs to run it.
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

  // The file:line:column of statement `index`, moved by `offset_in_statement` bytes.
  SourceLocation Location(std::size_t index, std::size_t offset_in_statement = 0) const;
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
  std::string name;            // "sqlite"
  std::string dialect;         // the file dialect this database runs
  std::string server_version;  // e.g. "3.40.1"
  bool transactional_ddl = true;
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

  // Runs `step` (DESIGN §4). Transactional: renews the lease, runs every statement, writes
  // the history row (up) or deletes it (down) and a log row, all in one transaction.
  // Non-transactional: records `started`, runs statement by statement recording progress,
  // then records the final state. Returns the duration in milliseconds.
  // REQUIRES: `lease` holds the lock. Throws Error(kLockLost) when it no longer does (nothing
  // is committed then), Error(kMigrationFailed) with the failing statement's location.
  virtual long long Apply(const Step& step, const LockRequest& lease) = 0;

  // The user schema, migrate's own tables left out, sorted by kind then name: the same
  // schema always gives the same list. Never writes.
  virtual std::vector<SchemaObject> SnapshotSchema() = 0;

  // A script for the database's own client (psql) that applies `steps` exactly as Apply
  // would, with `actor` as the holder: for `migrate plan --format sql`. Never writes.
  // Throws Error(kUsage) when this database has no such client workflow.
  virtual std::string RenderScript(const std::vector<Step>& steps, const LockRequest& actor) = 0;

  // Repairs an interrupted non-transactional migration: marks it applied or deletes its row.
  // REQUIRES: `lease` holds the lock.
  virtual void Repair(const std::string& version, bool mark_applied, const LockRequest& lease) = 0;
};

}  // namespace migrate

#endif  // MIGRATE_DRIVER_H_
