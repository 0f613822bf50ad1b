#include "postgres/postgres_progress.h"

#include <pqxx/pqxx>

#include "postgres/postgres_session.h"

namespace migrate::postgres {
namespace {

constexpr int kProbeTimeoutS = 2;

std::string Text(const pqxx::field& f) { return f.is_null() ? "" : f.c_str(); }
long long Count(const pqxx::field& f) { return f.is_null() ? -1 : f.as<long long>(); }

// The query's rows as a StatementProgress.
StatementProgress Decode(const pqxx::result& r) {
  StatementProgress p;
  if (r.empty()) return p;
  const pqxx::row& first = r[0];
  p.state = Text(first[0]);
  p.wait_event_type = Text(first[1]);
  p.wait_event = Text(first[2]);
  p.phase = Text(first[3]);
  p.blocks_done = Count(first[4]);
  p.blocks_total = Count(first[5]);
  p.tuples_done = Count(first[6]);
  p.tuples_total = Count(first[7]);
  p.waiting_for = Text(first[8]);
  for (const pqxx::row& row : r) {
    if (row[9].is_null()) continue;
    p.blockers.push_back({row[9].as<int>(), Count(row[10]), Text(row[11]), Text(row[12])});
  }
  return p;
}

class PostgresProbe final : public ProgressProbe {
 public:
  PostgresProbe(std::string url, int backend_pid, int server_version_num)
      : url_(std::move(url)), query_(ProgressQuery(backend_pid, server_version_num)) {}

  StatementProgress Read() override {
    StatementProgress progress;
    Guard("cannot read the progress of the migration", [&] {
      if (!conn_) {
        conn_ = Connect(url_, "migrate-progress", kProbeTimeoutS);
        pqxx::nontransaction q(*conn_);
        q.exec("SET statement_timeout = '" + std::to_string(kProbeTimeoutS) + "s'");
      }
      pqxx::nontransaction q(*conn_);
      progress = Decode(q.exec_params(query_.text, *query_.params[0]));
    });
    return progress;
  }

 private:
  std::string url_;
  SqlCommand query_;
  std::unique_ptr<PgConnection> conn_;
};

}  // namespace

SqlCommand ProgressQuery(int backend_pid, int server_version_num) {
  bool index_progress = server_version_num >= 120000;
  std::string index_columns =
      index_progress ? "p.phase, p.blocks_done, p.blocks_total, p.tuples_done, p.tuples_total"
                     : "NULL, NULL::bigint, NULL::bigint, NULL::bigint, NULL::bigint";
  std::string index_join =
      index_progress ? "\n  LEFT JOIN pg_stat_progress_create_index p ON p.pid = a.pid" : "";
  return {"SELECT a.state, a.wait_event_type, a.wait_event, " + index_columns +
              ",\n  (SELECT l.mode || ' on ' || CASE WHEN l.relation IS NOT NULL"
              " THEN l.relation::regclass::text ELSE l.locktype END\n"
              "     FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted LIMIT 1),\n"
              "  bp.pid, floor(extract(epoch FROM now() - coalesce(b.xact_start,"
              " b.query_start)))::bigint,\n"
              "  to_char(b.query_start AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
              " b.state\n"
              "FROM pg_stat_activity a" +
              index_join +
              "\n  LEFT JOIN LATERAL unnest(pg_blocking_pids(a.pid)) AS bp(pid) ON true"
              "\n  LEFT JOIN pg_stat_activity b ON b.pid = bp.pid"
              "\nWHERE a.pid = $1 ORDER BY b.pid",
          {std::to_string(backend_pid)}};
}

std::unique_ptr<ProgressProbe> OpenPostgresProbe(std::string url, int backend_pid,
                                                 int server_version_num) {
  return std::make_unique<PostgresProbe>(std::move(url), backend_pid, server_version_num);
}

}  // namespace migrate::postgres
