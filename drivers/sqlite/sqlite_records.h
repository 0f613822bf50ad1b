// The SQL that keeps migrate's tables in a SQLite database (docs/design.md §4), as pure
// functions of the table names and the values: the tables' DDL, the history rows, the audit
// log, the lock row and its lease. Times are SQLite's clock as ISO 8601 UTC text. Parameters
// are numbered (?1, ?2 ...) so that one may be used twice.
#ifndef MIGRATE_DRIVERS_SQLITE_SQLITE_RECORDS_H_
#define MIGRATE_DRIVERS_SQLITE_SQLITE_RECORDS_H_

#include <chrono>
#include <string>
#include <vector>

#include "migrate/driver.h"
#include "sql_command.h"

namespace migrate::sqlite {

// CREATE TABLE IF NOT EXISTS statements for migrate's tables.
std::vector<std::string> MetadataDdl(const TableNames& t);
// One row when every table of migrate exists and the history table takes every state word of
// this migrate (kHistoryStates): nothing to create or upgrade.
SqlCommand MetadataCurrent(const TableNames& t);
// An SQL condition: the history table's CHECK knows every state (an older one lacks some).
SqlCommand HistoryCurrent(const TableNames& t);
// Statements that rebuild a history table created by an older migrate (whose state CHECK
// lacks a word) with the current DDL, keeping its rows. Run inside a transaction.
std::vector<std::string> UpgradeHistory(const TableNames& t);

// The history rows, one cell per kHistoryColumns (NULLs as '').
SqlCommand SelectHistory(const TableNames& t);
// The history row of an up step as `state` (inserted or replaced): applied with every
// statement done, or started at step.resume_from.
SqlCommand WriteHistory(const TableNames& t, const Step& step, const LockRequest& lease,
                        HistoryState state, long long ms);
// The history row of a reverted step, deleted.
SqlCommand DeleteHistory(const TableNames& t, const Step& step);
// A down step's applied row back to `started` at 0 statements.
SqlCommand MarkDownStarted(const TableNames& t, const Step& step);
// `done` statements of a non-transactional step are complete.
SqlCommand SetProgress(const TableNames& t, const Step& step, int done);
// The audit row of a finished step (Step::LogEvent, Step::LogDetail).
SqlCommand InsertLog(const TableNames& t, const Step& step, const LockRequest& lease, long long ms);

// Takes the lock row when it is free, expired, or already `request`'s; changes one row then.
SqlCommand TakeLock(const TableNames& t, const LockRequest& request);
// Frees the lock row if `request` holds it.
SqlCommand ReleaseLock(const TableNames& t, const LockRequest& request);
// holder, run_id, acquired_at, expires_at of the lock row, if any.
SqlCommand ReadLock(const TableNames& t);
// Frees the lock row whoever holds it.
SqlCommand ClearLock(const TableNames& t);
// A log row for a lock freed by hand.
SqlCommand LogUnlock(const TableNames& t, const LockHolder& was);
// Extends the lease; changes one row while `lease` holds the lock.
SqlCommand ExtendLease(const TableNames& t, const LockRequest& lease);
// One row while `lease` holds the lock.
SqlCommand CheckLease(const TableNames& t, const LockRequest& lease);
// What `request` records of one history row; and its log row.
SqlCommand Repair(const TableNames& t, const RepairRequest& request);
SqlCommand LogRepair(const TableNames& t, const RepairRequest& request, const LockRequest& lease);

// The newest schema snapshot: version, event, format, sha256, catalog, taken_at, actor.
SqlCommand SelectSnapshot(const TableNames& t);
// Stores a snapshot; then PruneSnapshots keeps the newest kSnapshotsKept.
SqlCommand InsertSnapshot(const TableNames& t, const SchemaSnapshot& s, const LockRequest& lease);
SqlCommand PruneSnapshots(const TableNames& t);
// The log row of an audited snapshot (snapshot.audit set).
SqlCommand LogSnapshot(const TableNames& t, const SchemaSnapshot& s, const LockRequest& lease);

}  // namespace migrate::sqlite

#endif  // MIGRATE_DRIVERS_SQLITE_SQLITE_RECORDS_H_
