#include "postgres/postgres_records.h"

#include <set>

namespace migrate::postgres {
namespace {

constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

std::string IsoOf(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', " + kIso + ")";
}

// The history table's state CHECK, named so that an upgrade can find it.
std::string StateCheck(const TableNames& t) {
  std::string states;
  for (HistoryState state : kHistoryStates) {
    states += (states.empty() ? "'" : ",'") + std::string(HistoryStateName(state)) + "'";
  }
  return "CONSTRAINT \"" + t.history.table().substr(0, 50) + "_state_check\" CHECK (state IN (" +
         states + "))";
}

// INSERT (or reset) of an up step's history row; parameters $1..$11.
// A duration parameter, or when it is NULL the time since the step began on the server: since
// the message arrived, or since the step's start mark when it followed others in the same
// message (TimeoutsAfter).
std::string Duration(const std::string& param) {
  return "coalesce(" + param +
         "::bigint, (extract(epoch FROM clock_timestamp() - coalesce(nullif(current_setting("
         "'migrate.step_started', true), '')::timestamptz, statement_timestamp())) * 1000)"
         "::bigint)";
}

std::string InsertHistory(const TableNames& t) {
  return "INSERT INTO " + t.history.Quoted() +
         " (version, slug, checksum, down_checksum, state, progress, duration_ms, applied_by,"
         " tool_version, run_id, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, " +
         Duration("$7") +
         ", $8, $9, $10, $11)\n  ON CONFLICT (version) DO UPDATE SET state = excluded.state,"
         " progress = excluded.progress, duration_ms = excluded.duration_ms,"
         " applied_at = clock_timestamp(), run_id = excluded.run_id";
}

std::vector<std::optional<std::string>> HistoryValues(const Step& step, const LockRequest& lease,
                                                      HistoryState state, int progress,
                                                      long long ms) {
  return {step.version,
          step.slug,
          step.checksum,
          NullIfEmpty(step.down_checksum),
          std::string(HistoryStateName(state)),
          std::to_string(progress),
          ms < 0 ? std::nullopt : std::optional<std::string>(std::to_string(ms)),
          lease.Holder(),
          step.tool_version,
          lease.run_id,
          NullIfEmpty(step.fingerprint)};
}

// An INSERT of one log row from parameters `$run, $event, ...` given as SQL expressions.
std::string InsertLog(const TableNames& t, const std::string& values) {
  return "INSERT INTO " + t.log.Quoted() +
         " (run_id, event, version, slug, checksum, duration_ms, actor, detail) VALUES (" + values +
         ")";
}

std::string LeaseUpdate(const TableNames& t, const std::string& secs, const std::string& run_id) {
  return "UPDATE " + t.lock.Quoted() +
         " SET expires_at = clock_timestamp() + make_interval(secs => " + secs +
         ") WHERE id = 1 AND run_id = " + run_id;
}

}  // namespace

std::vector<std::string> MetadataDdl(const TableNames& t) {
  std::vector<std::string> out;
  std::set<std::string> schemas;  // each once: the four tables usually share one
  for (const QualifiedName* name : t.All()) {
    if (!name->schema().empty() && schemas.insert(name->schema()).second) {
      out.push_back("CREATE SCHEMA IF NOT EXISTS \"" + name->schema() + "\"");
    }
  }
  out.push_back("CREATE TABLE IF NOT EXISTS " + t.history.Quoted() +
                " (version text PRIMARY KEY, slug text NOT NULL, checksum text NOT NULL,"
                " down_checksum text, state text NOT NULL " +
                StateCheck(t) +
                ", progress integer NOT NULL DEFAULT 0,"
                " applied_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                " duration_ms bigint NOT NULL DEFAULT 0, applied_by text NOT NULL,"
                " tool_version text NOT NULL, run_id text NOT NULL, fingerprint text)");
  out.push_back("CREATE TABLE IF NOT EXISTS " + t.lock.Quoted() +
                " (id integer PRIMARY KEY CHECK (id = 1), holder text NOT NULL,"
                " run_id text NOT NULL, acquired_at timestamptz NOT NULL,"
                " expires_at timestamptz NOT NULL)");
  out.push_back("CREATE TABLE IF NOT EXISTS " + t.log.Quoted() +
                " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " at timestamptz NOT NULL DEFAULT clock_timestamp(), run_id text NOT NULL,"
                " event text NOT NULL, version text, slug text, checksum text,"
                " duration_ms bigint, actor text NOT NULL, detail text)");
  out.push_back("CREATE TABLE IF NOT EXISTS " + t.schema.Quoted() +
                " (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,"
                " taken_at timestamptz NOT NULL DEFAULT clock_timestamp(), version text NOT NULL,"
                " event text NOT NULL, format integer NOT NULL, sha256 text NOT NULL,"
                " catalog text NOT NULL, run_id text NOT NULL, actor text NOT NULL,"
                " history text NOT NULL DEFAULT '')");
  return out;
}

SqlCommand MetadataCurrent(const TableNames& t) {
  std::string names;
  for (std::size_t i = 1; i <= t.All().size(); ++i) {
    names += (i > 1 ? ", $" : "$") + std::to_string(i);
  }
  SqlCommand c{"SELECT count(to_regclass(n)) = " + std::to_string(t.All().size()) +
                   " AND EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = to_regclass($1)"
                   " AND contype = 'c' AND pg_get_constraintdef(oid) LIKE $" +
                   std::to_string(t.All().size() + 1) + "), current_schema() FROM unnest(ARRAY[" +
                   names + "]) AS n",
               {}};
  for (const QualifiedName* name : t.All()) c.params.push_back(name->Quoted());
  c.params.push_back("%'" + std::string(HistoryStateName(kHistoryStates.back())) + "'%");
  return c;
}

std::vector<std::string> UpgradeHistory(const TableNames& t) {
  std::string table = t.history.Quoted();
  return {
      "DO $$ DECLARE c text; BEGIN SELECT conname INTO c FROM pg_constraint WHERE"
      " conrelid = '" +
          table +
          "'::regclass AND contype = 'c' AND"
          " pg_get_constraintdef(oid) LIKE '%state%'; IF c IS NOT NULL THEN"
          " EXECUTE format('ALTER TABLE " +
          table + " DROP CONSTRAINT %I', c); END IF; END $$",
      "ALTER TABLE " + table + " ADD " + StateCheck(t)};
}

SqlCommand SelectHistory(const TableNames& t) {
  std::string columns;
  for (std::string_view c : kHistoryColumns) {
    std::string column(c);
    if (c == "applied_at") {
      column = IsoOf(column);
    } else if (c == "down_checksum" || c == "fingerprint") {
      column = "coalesce(" + column + ", '')";
    }
    columns += (columns.empty() ? "" : ", ") + column;
  }
  return {"SELECT " + columns + " FROM " + t.history.Quoted(), {}};
}

SqlCommand InsertStarted(const TableNames& t, const Step& step, const LockRequest& lease) {
  return {InsertHistory(t),
          HistoryValues(step, lease, HistoryState::kStarted, step.resume_from, 0)};
}

SqlCommand MarkDownStarted(const TableNames& t, const Step& step) {
  return {"UPDATE " + t.history.Quoted() + " SET state = $1, progress = 0 WHERE version = $2",
          {std::string(HistoryStateName(HistoryState::kStarted)), step.version}};
}

SqlCommand SetProgress(const TableNames& t, const Step& step, int done) {
  return {"UPDATE " + t.history.Quoted() + " SET progress = $1 WHERE version = $2",
          {std::to_string(done), step.version}};
}

SqlCommand RecordDone(const TableNames& t, const Step& step, const LockRequest& lease,
                      long long ms) {
  // The data-modifying CTEs run whether or not the UPDATE reads them.
  if (step.direction == Direction::kUp) {
    SqlCommand c{
        "WITH history AS (\n  " + InsertHistory(t) + "),\nlog AS (\n  " +
            InsertLog(t, "$10, $14, $1, $2, $3, " + Duration("$7") + ", $8, $12") + ")\n" +
            LeaseUpdate(t, "$13", "$10"),
        HistoryValues(step, lease, step.record_as, static_cast<int>(step.statements.size()), ms)};
    c.params.push_back(step.LogDetail());
    c.params.push_back(LeaseSeconds(lease.lease));
    c.params.push_back(std::string(step.LogEvent()));
    return c;
  }
  return {"WITH history AS (\n  DELETE FROM " + t.history.Quoted() +
              " WHERE version = $1),\nlog AS (\n  " +
              InsertLog(t, "$2, 'down', $1, $3, $4, " + Duration("$5") + ", $6, $7") + ")\n" +
              LeaseUpdate(t, "$8", "$2"),
          {step.version, lease.run_id, step.slug, step.down_checksum,
           ms < 0 ? std::nullopt : std::optional<std::string>(std::to_string(ms)), lease.Holder(),
           step.LogDetail(), LeaseSeconds(lease.lease)}};
}

SqlCommand RenewLease(const TableNames& t, const LockRequest& lease) {
  return {LeaseUpdate(t, "$1", "$2"), {LeaseSeconds(lease.lease), lease.run_id}};
}

SqlCommand FailUnlessHoldsLock(const TableNames& t, const LockRequest& lease) {
  // count(*) makes the CAST depend on the row, so it is never folded at planning time.
  return {
      "SELECT CASE WHEN count(*) = 1 THEN 1 ELSE CAST('migrate: the lock lease was lost' || "
      "count(*) AS integer) END FROM " +
          t.lock.Quoted() + " WHERE id = 1 AND run_id = $1",
      {lease.run_id}};
}

SqlCommand TakeLock(const TableNames& t, const LockRequest& request) {
  SqlCommand insert = InsertLockRow(t, request);
  insert.text += kLockTakeOver;
  return insert;
}

SqlCommand InsertLockRow(const TableNames& t, const LockRequest& request) {
  return {
      "INSERT INTO " + t.lock.Quoted() + kLockColumns +
          " VALUES (1, $1, $2, clock_timestamp(), clock_timestamp() + make_interval(secs => $3))",
      {request.Holder(), request.run_id, LeaseSeconds(request.lease)}};
}

SqlCommand ReleaseLock(const TableNames& t, const LockRequest& request) {
  return {"DELETE FROM " + t.lock.Quoted() + " WHERE id = 1 AND run_id = $1", {request.run_id}};
}

SqlCommand ReadLock(const TableNames& t) {
  return {"SELECT holder, run_id, " + IsoOf("acquired_at") + ", " + IsoOf("expires_at") + " FROM " +
              t.lock.Quoted() + " WHERE id = 1",
          {}};
}

SqlCommand ForceUnlock(const TableNames& t) {
  return {"WITH freed AS (DELETE FROM " + t.lock.Quoted() +
              " RETURNING holder, run_id, acquired_at, expires_at), logged AS (" + "INSERT INTO " +
              t.log.Quoted() +
              " (run_id, event, actor, detail) SELECT '', 'unlock', 'unknown',"
              " 'freed by hand; was held by ' || holder FROM freed)"
              " SELECT holder, run_id, " +
              IsoOf("acquired_at") + ", " + IsoOf("expires_at") + " FROM freed",
          {}};
}

SqlCommand Repair(const TableNames& t, const RepairRequest& r, const LockRequest& lease) {
  std::string h = t.history.Quoted();
  std::string change;
  switch (r.action) {
    case RepairAction::kMarkApplied:
      change = "UPDATE " + h + " SET state = '" +
               std::string(HistoryStateName(HistoryState::kApplied)) + "' WHERE version = $1";
      break;
    case RepairAction::kForget:
      change = "DELETE FROM " + h + " WHERE version = $1";
      break;
    case RepairAction::kAccept:
      change = "UPDATE " + h +
               " SET checksum = $6, down_checksum = $8, fingerprint = $9 WHERE version = $1";
      break;
  }
  bool accept = r.action == RepairAction::kAccept;
  SqlCommand c{"WITH history AS (\n  " + change + "),\nlog AS (\n  " +
                   InsertLog(t, "$2, $7, $1, '', $6, 0, $3, $4") + ")\n" +
                   LeaseUpdate(t, "$5", "$2"),
               {r.version, lease.run_id, lease.Holder(), r.detail, LeaseSeconds(lease.lease),
                r.checksum, std::string(accept ? "accept" : "repair")}};
  if (accept) {
    c.params.push_back(NullIfEmpty(r.down_checksum));
    c.params.push_back(NullIfEmpty(r.fingerprint));
  }
  return c;
}

SqlCommand SelectSnapshot(const TableNames& t) {
  return {"SELECT version, event, format, history, sha256, catalog, " + IsoOf("taken_at") +
              ", actor FROM " + t.schema.Quoted() + " ORDER BY id DESC LIMIT 1",
          {}};
}

SqlCommand WriteSnapshot(const TableNames& t, const SchemaSnapshot& s, const LockRequest& lease) {
  // The DELETE sees the table as it was before this statement: it keeps one row fewer, and
  // the new one makes kSnapshotsKept.
  std::string s_table = t.schema.Quoted();
  std::string sql = "WITH snapshot AS (\n  INSERT INTO " + s_table +
                    " (version, event, format, sha256, catalog, run_id, actor, history)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $9)),\npruned AS (\n  DELETE FROM " +
                    s_table + " WHERE id NOT IN (SELECT id FROM " + s_table +
                    " ORDER BY id DESC LIMIT " + std::to_string(kSnapshotsKept - 1) + "))";
  SqlCommand c{"",
               {s.version, s.event, std::to_string(s.format), s.sha256, s.catalog, lease.run_id,
                lease.Holder(), LeaseSeconds(lease.lease), s.history}};
  if (!s.audit.empty()) {
    sql += ",\nlog AS (\n  " + InsertLog(t, "$6, $2, $1, '', $4, 0, $7, $10") + ")";
    c.params.push_back(s.audit);
  }
  c.text = sql + "\n" + LeaseUpdate(t, "$8", "$6");
  return c;
}

std::vector<std::string> SetTimeouts(const Step& step, bool local) {
  std::string set = local ? "SET LOCAL " : "SET ";
  std::vector<std::string> out;
  if (step.lock_timeout) {
    out.push_back(set + "lock_timeout = '" + std::to_string(step.lock_timeout->count()) + "ms'");
  }
  if (step.statement_timeout) {
    out.push_back(set + "statement_timeout = '" + std::to_string(step.statement_timeout->count()) +
                  "ms'");
  }
  return out;
}

std::vector<std::string> TimeoutsAfter(const Step& step, const Step* previous) {
  std::vector<std::string> out;
  if (previous) {
    // Whatever the one before set, by directive or by its own SET LOCAL; and this one's
    // duration starts here (Duration).
    out.push_back("SET LOCAL lock_timeout TO DEFAULT");
    out.push_back("SET LOCAL statement_timeout TO DEFAULT");
    out.push_back("SELECT set_config('migrate.step_started', clock_timestamp()::text, true)");
  }
  for (std::string& set : SetTimeouts(step, true)) out.push_back(std::move(set));
  return out;
}

std::vector<std::string> ResetTimeouts(const Step& step) {
  std::vector<std::string> out;
  if (step.lock_timeout) out.push_back("RESET lock_timeout");
  if (step.statement_timeout) out.push_back("RESET statement_timeout");
  return out;
}

std::string LeaseSeconds(std::chrono::milliseconds lease) {
  return std::to_string(static_cast<double>(lease.count()) / 1000.0);
}

}  // namespace migrate::postgres
