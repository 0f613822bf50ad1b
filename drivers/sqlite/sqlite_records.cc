#include "sqlite/sqlite_records.h"

namespace migrate::sqlite {
namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

// A lease as a strftime modifier: "+60.000 seconds".
std::string LeaseModifier(std::chrono::milliseconds lease) {
  return "+" + std::to_string(lease.count() / 1000) + "." +
         std::to_string(1000 + lease.count() % 1000).substr(1) + " seconds";
}

std::string Name(std::string_view name) { return std::string(name); }

SqlCommand Log(const TableNames& t, std::vector<std::optional<std::string>> values) {
  return {"INSERT INTO " + t.log.Quoted() +
              " (at, run_id, event, version, slug, checksum, duration_ms, actor, detail) VALUES (" +
              kNow + ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
          std::move(values)};
}

}  // namespace

std::vector<std::string> MetadataDdl(const TableNames& t) {
  return {
      "CREATE TABLE IF NOT EXISTS " + t.history.Quoted() +
          " (version TEXT PRIMARY KEY NOT NULL, slug TEXT NOT NULL, checksum TEXT NOT NULL,"
          " down_checksum TEXT, state TEXT NOT NULL CHECK (state IN ('" +
          Name(HistoryStateName(HistoryState::kApplied)) + "','" +
          Name(HistoryStateName(HistoryState::kStarted)) +
          "')), progress INTEGER NOT NULL DEFAULT 0, applied_at TEXT NOT NULL,"
          " duration_ms INTEGER NOT NULL DEFAULT 0, applied_by TEXT NOT NULL,"
          " tool_version TEXT NOT NULL, run_id TEXT NOT NULL, fingerprint TEXT)"
          // One b-tree keyed by version, not a rowid table plus an index: each migration's
          // commit writes one page fewer.
          " WITHOUT ROWID",
      "CREATE TABLE IF NOT EXISTS " + t.lock.Quoted() +
          " (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL,"
          " run_id TEXT NOT NULL, acquired_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
      // Append-only, so rowids only grow; AUTOINCREMENT would cost a write to sqlite_sequence
      // in every migration's transaction.
      "CREATE TABLE IF NOT EXISTS " + t.log.Quoted() +
          " (id INTEGER PRIMARY KEY, at TEXT NOT NULL, run_id TEXT NOT NULL,"
          " event TEXT NOT NULL, version TEXT, slug TEXT, checksum TEXT,"
          " duration_ms INTEGER, actor TEXT NOT NULL, detail TEXT)",
  };
}

SqlCommand SelectHistory(const TableNames& t) {
  std::string columns;
  for (std::string_view c : kHistoryColumns) {
    std::string column(c);
    if (c == "down_checksum" || c == "fingerprint") column = "coalesce(" + column + ", '')";
    columns += (columns.empty() ? "" : ", ") + column;
  }
  return {"SELECT " + columns + " FROM " + t.history.Quoted(), {}};
}

SqlCommand WriteHistory(const TableNames& t, const Step& step, const LockRequest& lease,
                        HistoryState state, long long ms) {
  int progress =
      state == HistoryState::kStarted ? step.resume_from : static_cast<int>(step.statements.size());
  return {"INSERT OR REPLACE INTO " + t.history.Quoted() +
              " (version, slug, checksum, down_checksum, state, progress, applied_at,"
              " duration_ms, applied_by, tool_version, run_id, fingerprint)"
              " VALUES (?1, ?2, ?3, ?4, ?5, ?6, " +
              kNow + ", ?7, ?8, ?9, ?10, ?11)",
          {step.version, step.slug, step.checksum, NullIfEmpty(step.down_checksum),
           Name(HistoryStateName(state)), std::to_string(progress), std::to_string(ms),
           lease.Holder(), step.tool_version, lease.run_id, step.fingerprint}};
}

SqlCommand DeleteHistory(const TableNames& t, const Step& step) {
  return {"DELETE FROM " + t.history.Quoted() + " WHERE version = ?1", {step.version}};
}

SqlCommand MarkDownStarted(const TableNames& t, const Step& step) {
  return {"UPDATE " + t.history.Quoted() + " SET state = ?1, progress = 0 WHERE version = ?2",
          {Name(HistoryStateName(HistoryState::kStarted)), step.version}};
}

SqlCommand SetProgress(const TableNames& t, const Step& step, int done) {
  return {"UPDATE " + t.history.Quoted() + " SET progress = ?1 WHERE version = ?2",
          {std::to_string(done), step.version}};
}

SqlCommand InsertLog(const TableNames& t, const std::string& event, const Step& step,
                     const LockRequest& lease, long long ms) {
  return Log(t, {lease.run_id, event, step.version, step.slug,
                 step.direction == Direction::kUp ? step.checksum : step.down_checksum,
                 std::to_string(ms), lease.Holder(), step.file});
}

SqlCommand TakeLock(const TableNames& t, const LockRequest& request) {
  // Only a free, expired or own row is taken: SQLite has no session lock to decide for us.
  return {"INSERT INTO " + t.lock.Quoted() + kLockColumns + " VALUES (1, ?1, ?2, " + kNow +
              ", strftime('%Y-%m-%dT%H:%M:%fZ','now',?3))" + kLockTakeOver +
              " WHERE expires_at < excluded.acquired_at OR run_id = excluded.run_id",
          {request.Holder(), request.run_id, LeaseModifier(request.lease)}};
}

SqlCommand ReleaseLock(const TableNames& t, const LockRequest& request) {
  return {"DELETE FROM " + t.lock.Quoted() + " WHERE id = 1 AND run_id = ?1", {request.run_id}};
}

SqlCommand ReadLock(const TableNames& t) {
  return {
      "SELECT holder, run_id, acquired_at, expires_at FROM " + t.lock.Quoted() + " WHERE id = 1",
      {}};
}

SqlCommand ClearLock(const TableNames& t) { return {"DELETE FROM " + t.lock.Quoted(), {}}; }

SqlCommand LogUnlock(const TableNames& t, const LockHolder& was) {
  return Log(
      t, {"", "unlock", "", "", "", "0", "unknown", "freed by hand; was held by " + was.holder});
}

SqlCommand ExtendLease(const TableNames& t, const LockRequest& lease) {
  return {"UPDATE " + t.lock.Quoted() +
              " SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ','now',?1)"
              " WHERE id = 1 AND run_id = ?2",
          {LeaseModifier(lease.lease), lease.run_id}};
}

SqlCommand CheckLease(const TableNames& t, const LockRequest& lease) {
  return {"SELECT 1 FROM " + t.lock.Quoted() + " WHERE id = 1 AND run_id = ?1", {lease.run_id}};
}

SqlCommand Repair(const TableNames& t, const std::string& version, RepairAction action) {
  if (action == RepairAction::kForget) {
    return {"DELETE FROM " + t.history.Quoted() + " WHERE version = ?1", {version}};
  }
  return {"UPDATE " + t.history.Quoted() + " SET state = ?2 WHERE version = ?1",
          {version, Name(HistoryStateName(HistoryState::kApplied))}};
}

SqlCommand LogRepair(const TableNames& t, const std::string& version, RepairAction action,
                     const LockRequest& lease) {
  return Log(t, {lease.run_id, "repair", version, "", "", "0", lease.Holder(),
                 action == RepairAction::kMarkApplied ? "marked applied" : "row deleted"});
}

SqlCommand SelectSchema(const TableNames& t) {
  SqlCommand q{
      "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE name NOT LIKE"
      " 'sqlite\\_%' ESCAPE '\\' AND tbl_name NOT IN (?1, ?2, ?3, ?4) ORDER BY type, name",
      {}};
  for (const QualifiedName* name : t.All()) q.params.push_back(name->table());
  return q;
}

}  // namespace migrate::sqlite
