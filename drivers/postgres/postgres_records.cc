#include "postgres/postgres_records.h"

namespace migrate::postgres {
namespace {

constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

std::string IsoOf(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', " + kIso + ")";
}

std::string StateList() {
  return "'" + std::string(HistoryStateName(HistoryState::kApplied)) + "','" +
         std::string(HistoryStateName(HistoryState::kStarted)) + "'";
}

// INSERT (or reset) of an up step's history row; parameters $1..$11.
std::string InsertHistory(const TableNames& t) {
  return "INSERT INTO " + t.history.Quoted() +
         " (version, slug, checksum, down_checksum, state, progress, duration_ms, applied_by,"
         " tool_version, run_id, fingerprint) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
         " $11)\n  ON CONFLICT (version) DO UPDATE SET state = excluded.state,"
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
          std::to_string(ms),
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
  for (const QualifiedName* name : {&t.history, &t.lock, &t.log}) {
    if (!name->schema().empty()) {
      out.push_back("CREATE SCHEMA IF NOT EXISTS \"" + name->schema() + "\"");
    }
  }
  out.push_back("CREATE TABLE IF NOT EXISTS " + t.history.Quoted() +
                " (version text PRIMARY KEY, slug text NOT NULL, checksum text NOT NULL,"
                " down_checksum text, state text NOT NULL CHECK (state IN (" +
                StateList() +
                ")), progress integer NOT NULL DEFAULT 0,"
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
  return out;
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
    SqlCommand c{"WITH history AS (\n  " + InsertHistory(t) + "),\nlog AS (\n  " +
                     InsertLog(t, "$10, 'up', $1, $2, $3, $7, $8, $12") + ")\n" +
                     LeaseUpdate(t, "$13", "$10"),
                 HistoryValues(step, lease, HistoryState::kApplied,
                               static_cast<int>(step.statements.size()), ms)};
    c.params.push_back(step.file);
    c.params.push_back(LeaseSeconds(lease.lease));
    return c;
  }
  return {"WITH history AS (\n  DELETE FROM " + t.history.Quoted() +
              " WHERE version = $1),\nlog AS (\n  " +
              InsertLog(t, "$2, 'down', $1, $3, $4, $5, $6, $7") + ")\n" +
              LeaseUpdate(t, "$8", "$2"),
          {step.version, lease.run_id, step.slug, step.down_checksum, std::to_string(ms),
           lease.Holder(), step.file, LeaseSeconds(lease.lease)}};
}

SqlCommand RenewLease(const TableNames& t, const LockRequest& lease) {
  return {LeaseUpdate(t, "$1", "$2"), {LeaseSeconds(lease.lease), lease.run_id}};
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

SqlCommand Repair(const TableNames& t, const std::string& version, RepairAction action,
                  const LockRequest& lease) {
  bool applied = action == RepairAction::kMarkApplied;
  std::string change = applied ? "UPDATE " + t.history.Quoted() + " SET state = '" +
                                     std::string(HistoryStateName(HistoryState::kApplied)) +
                                     "' WHERE version = $1"
                               : "DELETE FROM " + t.history.Quoted() + " WHERE version = $1";
  return {"WITH history AS (\n  " + change + "),\nlog AS (\n  " +
              InsertLog(t, "$2, 'repair', $1, '', '', 0, $3, $4") + ")\n" +
              LeaseUpdate(t, "$5", "$2"),
          {version, lease.run_id, lease.Holder(), applied ? "marked applied" : "row deleted",
           LeaseSeconds(lease.lease)}};
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
