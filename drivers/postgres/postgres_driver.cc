#include "postgres/postgres_driver.h"

#include <iostream>
#include <pqxx/pqxx>

#include "migrate/redact.h"
#include "migrate/transaction.h"
#include "postgres/postgres_errors.h"
#include "postgres/postgres_records.h"
#include "postgres/postgres_script.h"
#include "postgres/postgres_session.h"
#include "postgres/postgres_steps.h"

namespace migrate::postgres {
namespace {

// FNV-1a of the lock table's name: the advisory lock key, so that two projects with
// different lock tables in one database do not block each other.
long long AdvisoryKey(const QualifiedName& lock_table) {
  unsigned long long h = 14695981039346656037ULL;
  for (char c : "migrate:" + lock_table.ToString()) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return static_cast<long long>(h >> 1);
}

// Adds connect_timeout and application_name to a URL that does not set them.
std::string WithDefaults(std::string url) {
  auto add = [&](const std::string& key, const std::string& value) {
    if (url.find(key + "=") != std::string::npos) return;
    url += (url.find('?') == std::string::npos ? "?" : "&") + key + "=" + value;
  };
  add("connect_timeout", "10");
  add("application_name", "migrate");
  return url;
}

// Sends server NOTICEs nowhere and WARNINGs to stderr, prefixed, instead of libpq's default.
class Notices final : public pqxx::errorhandler {
 public:
  explicit Notices(pqxx::connection_base& c) : pqxx::errorhandler(c) {}
  bool operator()(const char msg[]) noexcept override {
    std::string_view m(msg);
    if (m.rfind("WARNING", 0) == 0) std::cerr << "migrate: server " << m;
    return false;
  }
};

std::optional<LockHolder> HolderOf(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return LockHolder{r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str()};
}

class PostgresDriver final : public Driver {
 public:
  PostgresDriver(const PostgresOptions& options, std::unique_ptr<pqxx::connection> conn)
      : tables_(options.tables),
        session_(std::move(conn)),
        notices_(session_.connection()),
        steps_(session_, tables_),
        key_(AdvisoryKey(options.tables.lock)) {
    // A backend whose client died (kill -9) stops its query within seconds instead of
    // holding locks, and the advisory lock, until the query ends.
    session_.Exec("SET client_connection_check_interval = '2s'");
  }

  Capabilities GetCapabilities() override {
    int v = session_.connection().server_version();
    return {"postgres", std::to_string(v / 10000) + "." + std::to_string(v % 10000)};
  }

  const Dialect& GetDialect() const override { return PostgresDialect(); }

  void EnsureMetadata() override {
    Guard("cannot create migrate's tables", [&] {
      if (MetadataExists()) return;
      InTransaction(session_, [&] {
        // Serialises creation among runners that start at once; held for this short
        // transaction only.
        session_.Exec(SqlCommand{"SELECT pg_advisory_xact_lock($1)", {std::to_string(key_ + 1)}});
        session_.Exec("SET LOCAL client_min_messages = warning");
        for (const std::string& ddl : MetadataDdl(tables_)) session_.Exec(ddl);
      });
    });
  }

  std::vector<HistoryRow> ReadHistory() override {
    std::vector<HistoryRow> rows;
    Guard("cannot read the history table", [&] {
      pqxx::result r;
      try {  // one round trip: a missing table is an empty history
        r = session_.Exec(SelectHistory(tables_));
      } catch (const pqxx::undefined_table&) {
        return;
      }
      rows.reserve(r.size());
      std::array<std::string_view, kHistoryColumns.size()> cells;
      for (const auto& row : r) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
          cells[i] =
              std::string_view(row[static_cast<int>(i)].c_str(), row[static_cast<int>(i)].size());
        }
        rows.push_back(DecodeHistoryRow(cells));
      }
    });
    SortByVersion(rows);
    return rows;
  }

  LockAttempt TryLock(const LockRequest& request) override {
    LockAttempt attempt;
    Guard("cannot take the migration lock", [&] {
      if (!advisory_held_) advisory_held_ = Advisory("pg_try_advisory_lock");
      // The advisory lock says whether the holder's session is alive: while it is, the lock
      // stays taken however long its migration runs (a CREATE INDEX CONCURRENTLY can outlast
      // any lease), and when it dies the lock is free at once. The row then names the holder
      // and fences it: a holder whose row was freed by hand (unlock) never commits again.
      if (!advisory_held_) return;
      try {
        InTransaction(session_, [&] {
          session_.Exec("SET LOCAL lock_timeout = '200ms'");
          attempt.acquired = session_.Exec(TakeLock(tables_, request)).affected_rows() == 1;
        });
      } catch (const pqxx::sql_error& e) {
        if (e.sqlstate() != "55P03") throw;  // lock_not_available: someone is on the row
      }
      if (!attempt.acquired) advisory_held_ = !Advisory("pg_advisory_unlock");
    });
    if (!attempt.acquired) attempt.holder = ReadLock();
    return attempt;
  }

  void ReleaseLock(const LockRequest& request) noexcept override {
    try {
      session_.Exec(postgres::ReleaseLock(tables_, request));
      if (advisory_held_) Advisory("pg_advisory_unlock");
      advisory_held_ = false;
    } catch (...) {
      // The session ends with the process, which frees the advisory lock; the row's lease
      // then expires on its own.
    }
  }

  std::optional<LockHolder> ForceUnlock() override {
    std::optional<LockHolder> holder;
    Guard("cannot free the migration lock", [&] {
      if (Exists(tables_.lock)) holder = HolderOf(session_.Exec(postgres::ForceUnlock(tables_)));
    });
    return holder;
  }

  std::optional<LockHolder> ReadLock() override {
    std::optional<LockHolder> holder;
    Guard("cannot read the lock table", [&] {
      if (Exists(tables_.lock)) holder = HolderOf(session_.Exec(postgres::ReadLock(tables_)));
    });
    return holder;
  }

  StepSink& Steps() override { return steps_; }

  std::vector<SchemaObject> SnapshotSchema() override;

  std::string RenderScript(const std::vector<Step>& steps, const LockRequest& actor) override {
    std::string script;
    Guard("cannot render the script", [&] {
      script = postgres::RenderScript(tables_, steps, actor,
                                      [&](const std::string& s) { return session_.Quote(s); });
    });
    return script;
  }

  void Repair(const std::string& version, RepairAction action, const LockRequest& lease) override {
    Guard("cannot repair " + version, [&] {
      InTransaction(session_, [&] {
        if (session_.Exec(postgres::Repair(tables_, version, action, lease)).affected_rows() != 1) {
          throw LockLostError();
        }
      });
    });
  }

 private:
  // Runs pg_try_advisory_lock or pg_advisory_unlock on this driver's key.
  bool Advisory(const char* function) {
    SqlCommand q{"SELECT " + std::string(function) + "($1)", {std::to_string(key_)}};
    return session_.Exec(q)[0][0].as<bool>();
  }

  bool Exists(const QualifiedName& table) {
    return !session_.Exec(SqlCommand{"SELECT to_regclass($1)", {table.Quoted()}})[0][0].is_null();
  }

  // Whether the history, lock and log tables all exist, in one round trip.
  bool MetadataExists() {
    SqlCommand q{"SELECT count(to_regclass(t)) = 3 FROM unnest(ARRAY[$1, $2, $3]) AS t",
                 {tables_.history.Quoted(), tables_.lock.Quoted(), tables_.log.Quoted()}};
    return session_.Exec(q)[0][0].as<bool>();
  }

  TableNames tables_;
  Session session_;
  Notices notices_;
  LiveSteps steps_;
  long long key_ = 0;
  bool advisory_held_ = false;
};

std::vector<SchemaObject> PostgresDriver::SnapshotSchema() {
  std::vector<SchemaObject> out;
  Guard("cannot read the schema", [&] {
    // Relations, columns, constraints, indexes, functions and types of every schema but the
    // system ones, migrate's own tables left out.
    SqlCommand q{R"SQL(
WITH rels AS (
  SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND c.oid NOT IN (SELECT to_regclass(t) FROM unnest(ARRAY[$1, $2, $3, $4]) AS t
                      WHERE to_regclass(t) IS NOT NULL))
SELECT 'relation', name, relkind::text FROM rels
UNION ALL
SELECT 'column', r.name || '.' || a.attname,
       format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
       || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
UNION ALL
SELECT 'constraint', r.name || '.' || co.conname, pg_get_constraintdef(co.oid)
FROM rels r JOIN pg_constraint co ON co.conrelid = r.oid
UNION ALL
SELECT 'index', r.name || '.' || i.relname, pg_get_indexdef(i.oid)
FROM rels r JOIN pg_index x ON x.indrelid = r.oid JOIN pg_class i ON i.oid = x.indexrelid
UNION ALL
SELECT 'function', format('%I.%I', n.nspname, p.proname) || '(' ||
       pg_get_function_identity_arguments(p.oid) || ')', md5(pg_get_functiondef(p.oid))
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind IN ('f', 'p')
UNION ALL
SELECT 'type', format('%I.%I', n.nspname, t.typname), t.typtype::text
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
  AND t.typtype IN ('e', 'd', 'c') AND (t.typrelid = 0 OR t.typtype = 'c' AND
      (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
ORDER BY 1, 2)SQL",
                 {}};
    for (const QualifiedName* name : tables_.All()) q.params.push_back(name->Quoted());
    for (const auto& row : session_.Exec(q)) {
      out.push_back({row[0].c_str(), row[1].c_str(), row[2].c_str()});
    }
  });
  return out;
}

}  // namespace

std::unique_ptr<Driver> OpenPostgres(const PostgresOptions& options) {
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(WithDefaults(options.url));
  } catch (const pqxx::broken_connection& e) {
    throw ConnectionError(e, RedactUrl(options.url));
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kConnection, "cannot connect to " + RedactUrl(options.url) + ": " +
                                            CleanServerMessage(e.what()));
  }
  try {
    return std::make_unique<PostgresDriver>(options, std::move(conn));
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kConnection, "cannot set up the session on " + RedactUrl(options.url) +
                                            ": " + CleanServerMessage(e.what()));
  }
}

}  // namespace migrate::postgres
