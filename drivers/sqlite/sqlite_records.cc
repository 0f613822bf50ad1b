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

std::string HistoryDdl(const std::string& quoted_name) {
  std::string states;
  for (HistoryState state : kHistoryStates) {
    states += (states.empty() ? "'" : ",'") + Name(HistoryStateName(state)) + "'";
  }
  return "CREATE TABLE IF NOT EXISTS " + quoted_name +
         " (version TEXT PRIMARY KEY NOT NULL, slug TEXT NOT NULL, checksum TEXT NOT NULL,"
         " down_checksum TEXT, state TEXT NOT NULL CHECK (state IN (" +
         states +
         ")), progress INTEGER NOT NULL DEFAULT 0, applied_at TEXT NOT NULL,"
         " duration_ms INTEGER NOT NULL DEFAULT 0, applied_by TEXT NOT NULL,"
         " tool_version TEXT NOT NULL, run_id TEXT NOT NULL, fingerprint TEXT)"
         // One b-tree keyed by version, not a rowid table plus an index: each migration's
         // commit writes one page fewer.
         " WITHOUT ROWID";
}

}  // namespace

std::vector<std::string> MetadataDdl(const TableNames& t) {
  return {
      HistoryDdl(t.history.Quoted()),
      "CREATE TABLE IF NOT EXISTS " + t.lock.Quoted() +
          " (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL,"
          " run_id TEXT NOT NULL, acquired_at TEXT NOT NULL, expires_at TEXT NOT NULL)",
      // Append-only, so rowids only grow; AUTOINCREMENT would cost a write to sqlite_sequence
      // in every migration's transaction.
      "CREATE TABLE IF NOT EXISTS " + t.log.Quoted() +
          " (id INTEGER PRIMARY KEY, at TEXT NOT NULL, run_id TEXT NOT NULL,"
          " event TEXT NOT NULL, version TEXT, slug TEXT, checksum TEXT,"
          " duration_ms INTEGER, actor TEXT NOT NULL, detail TEXT)",
      "CREATE TABLE IF NOT EXISTS " + t.schema.Quoted() +
          " (id INTEGER PRIMARY KEY, taken_at TEXT NOT NULL, version TEXT NOT NULL,"
          " event TEXT NOT NULL, format INTEGER NOT NULL, sha256 TEXT NOT NULL,"
          " catalog TEXT NOT NULL, run_id TEXT NOT NULL, actor TEXT NOT NULL,"
          " history TEXT NOT NULL DEFAULT '')",
  };
}

SqlCommand MetadataCurrent(const TableNames& t) {
  std::string schema = t.history.schema().empty() ? "main" : t.history.schema();
  std::string names;
  for (const QualifiedName* name : t.All()) {
    names += (names.empty() ? "'" : ", '") + name->table() + "'";
  }
  // Each table may live in its own schema; all of migrate's do in practice. Counted by name.
  return {"SELECT 1 WHERE (SELECT count(*) FROM \"" + schema +
              "\".sqlite_master WHERE type = 'table' AND name IN (" + names + ")) = 4 AND " +
              HistoryCurrent(t).text,
          HistoryCurrent(t).params};
}

SqlCommand HistoryCurrent(const TableNames& t) {
  std::string schema = t.history.schema().empty() ? "main" : t.history.schema();
  return {"EXISTS (SELECT 1 FROM \"" + schema +
              "\".sqlite_master WHERE type = 'table' AND name = ?1 AND sql LIKE ?2)",
          {t.history.table(), "%'" + Name(HistoryStateName(kHistoryStates.back())) + "'%"}};
}

std::vector<std::string> UpgradeHistory(const TableNames& t) {
  std::string old = "\"" + t.history.table() + "_old\"";
  std::string qualified_old =
      t.history.schema().empty() ? old : "\"" + t.history.schema() + "\"." + old;
  // legacy_alter_table: the rename checks and rewrites no view or trigger (a user's view that
  // no longer compiles would stop it), and one of migrate's history is rebuilt by its name.
  return {"PRAGMA legacy_alter_table = ON",
          "ALTER TABLE " + t.history.Quoted() + " RENAME TO " + old,
          HistoryDdl(t.history.Quoted()),
          "INSERT INTO " + t.history.Quoted() + " SELECT * FROM " + qualified_old,
          "DROP TABLE " + qualified_old,
          "PRAGMA legacy_alter_table = OFF"};
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

SqlCommand InsertLog(const TableNames& t, const Step& step, const LockRequest& lease,
                     long long ms) {
  return Log(t, {lease.run_id, std::string(step.LogEvent()), step.version, step.slug,
                 step.direction == Direction::kUp ? step.checksum : step.down_checksum,
                 std::to_string(ms), lease.Holder(), step.LogDetail()});
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

SqlCommand Repair(const TableNames& t, const RepairRequest& r) {
  switch (r.action) {
    case RepairAction::kForget:
      return {"DELETE FROM " + t.history.Quoted() + " WHERE version = ?1", {r.version}};
    case RepairAction::kAccept:
      return {"UPDATE " + t.history.Quoted() +
                  " SET checksum = ?2, down_checksum = ?3, fingerprint = ?4 WHERE version = ?1",
              {r.version, r.checksum, NullIfEmpty(r.down_checksum), NullIfEmpty(r.fingerprint)}};
    case RepairAction::kMarkApplied:
      break;
  }
  return {"UPDATE " + t.history.Quoted() + " SET state = ?2 WHERE version = ?1",
          {r.version, Name(HistoryStateName(HistoryState::kApplied))}};
}

SqlCommand LogRepair(const TableNames& t, const RepairRequest& r, const LockRequest& lease) {
  return Log(t, {lease.run_id, r.action == RepairAction::kAccept ? "accept" : "repair", r.version,
                 "", r.checksum, "0", lease.Holder(), r.detail});
}

SqlCommand SelectSnapshot(const TableNames& t) {
  return {"SELECT version, event, format, history, sha256, catalog, taken_at, actor FROM " +
              t.schema.Quoted() + " ORDER BY id DESC LIMIT 1",
          {}};
}

SqlCommand InsertSnapshot(const TableNames& t, const SchemaSnapshot& s, const LockRequest& lease) {
  return {"INSERT INTO " + t.schema.Quoted() +
              " (taken_at, version, event, format, sha256, catalog, run_id, actor, history)"
              " VALUES (" +
              kNow + ", ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
          {s.version, s.event, std::to_string(s.format), s.sha256, s.catalog, lease.run_id,
           lease.Holder(), s.history}};
}

SqlCommand PruneSnapshots(const TableNames& t) {
  return {"DELETE FROM " + t.schema.Quoted() + " WHERE id NOT IN (SELECT id FROM " +
              t.schema.Quoted() + " ORDER BY id DESC LIMIT " + std::to_string(kSnapshotsKept) + ")",
          {}};
}

SqlCommand LogSnapshot(const TableNames& t, const SchemaSnapshot& s, const LockRequest& lease) {
  return Log(t, {lease.run_id, s.event, s.version, "", s.sha256, "0", lease.Holder(), s.audit});
}

}  // namespace migrate::sqlite
