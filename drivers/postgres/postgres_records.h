// The SQL that keeps migrate's tables in a PostgreSQL database (docs/design.md §4), as pure
// functions of the table names and the values: the tables' DDL, the history rows, the audit
// log, the lock row and its lease. The driver executes these; the psql script of `plan
// --format sql` writes the same text with the values inlined. A finished transactional step
// is recorded with one statement (data-modifying CTEs), so that a migration costs the round
// trips of its own SQL plus BEGIN, that statement and COMMIT: what one psql session applying
// it would spend.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_

#include <chrono>
#include <string>
#include <vector>

#include "migrate/driver.h"
#include "sql_command.h"

namespace migrate::postgres {

// CREATE SCHEMA / CREATE TABLE IF NOT EXISTS statements for migrate's tables.
std::vector<std::string> MetadataDdl(const TableNames& t);
// One boolean: every table of migrate exists and the history table's state CHECK takes every
// state word of this migrate (kHistoryStates): nothing to create or upgrade.
SqlCommand MetadataCurrent(const TableNames& t);
// Statements that replace the state CHECK of a history table created by an older migrate.
std::vector<std::string> UpgradeHistory(const TableNames& t);

// The history rows, one cell per kHistoryColumns (applied_at as ISO 8601 UTC, NULLs as '').
SqlCommand SelectHistory(const TableNames& t);

// An up step's history row as `started` at step.resume_from statements (inserted or reset).
SqlCommand InsertStarted(const TableNames& t, const Step& step, const LockRequest& lease);
// A down step's applied row back to `started` at 0 statements.
SqlCommand MarkDownStarted(const TableNames& t, const Step& step);
// `done` statements of a non-transactional step are complete.
SqlCommand SetProgress(const TableNames& t, const Step& step, int done);
// The finished step: history row (up: applied; down: deleted), log row and lease, in one
// statement that affects exactly one row (the lock row) while `lease` holds the lock. A
// negative `ms` records the time since the server received the message that holds it (the
// step's duration when the whole step is one message, postgres_batch.h).
SqlCommand RecordDone(const TableNames& t, const Step& step, const LockRequest& lease,
                      long long ms);

// The SET LOCAL timeouts of `step` in a transaction where `previous` (or nullptr) ran before
// it: after another step, both timeouts go back TO DEFAULT first (whatever it set, by directive
// or by its own SET LOCAL) and the step's start is marked for its duration (RecordDone).
std::vector<std::string> TimeoutsAfter(const Step& step, const Step* previous);

// Extends the lease; affects one row while `lease` holds the lock.
SqlCommand RenewLease(const TableNames& t, const LockRequest& lease);
// Fails (SQLSTATE 22P02, "migrate: the lock lease was lost") unless `lease` holds the lock row:
// the lease check of a step sent as one message, where a row count cannot stop the COMMIT.
SqlCommand FailUnlessHoldsLock(const TableNames& t, const LockRequest& lease);
// Takes the lock row whoever has it (the advisory lock decides who may); affects one row.
SqlCommand TakeLock(const TableNames& t, const LockRequest& request);
// Inserts the lock row, failing when it exists: for a script, which holds no advisory lock.
SqlCommand InsertLockRow(const TableNames& t, const LockRequest& request);
// Frees the lock row if `request` holds it.
SqlCommand ReleaseLock(const TableNames& t, const LockRequest& request);
// holder, run_id, acquired_at, expires_at (ISO 8601 UTC) of the lock row, if any.
SqlCommand ReadLock(const TableNames& t);
// Frees the lock row whoever holds it, with a log row naming who held it; returns the freed
// row as ReadLock does (no row when it was free).
SqlCommand ForceUnlock(const TableNames& t);
// What `request` records of one history row, with a log row and the lease renewed; affects
// one row (the lock row) while `lease` holds the lock.
SqlCommand Repair(const TableNames& t, const RepairRequest& request, const LockRequest& lease);

// The newest schema snapshot: version, event, format, sha256, catalog, taken_at, actor.
SqlCommand SelectSnapshot(const TableNames& t);
// Stores a snapshot, keeps the newest kSnapshotsKept, writes a log row when it has an
// `audit`, and renews the lease: affects one row (the lock row) while `lease` holds the lock.
SqlCommand WriteSnapshot(const TableNames& t, const SchemaSnapshot& s, const LockRequest& lease);

// SET [LOCAL] lock_timeout / statement_timeout for what `step` sets; RESET for the same.
std::vector<std::string> SetTimeouts(const Step& step, bool local);
std::vector<std::string> ResetTimeouts(const Step& step);

// A lease as the seconds make_interval() takes.
std::string LeaseSeconds(std::chrono::milliseconds lease);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_RECORDS_H_
