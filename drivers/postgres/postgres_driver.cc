#include "postgres/postgres_driver.h"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <pqxx/pqxx>

#include "migrate/postgres_dialect.h"
#include "migrate/redact.h"
#include "migrate/stopwatch.h"
#include "postgres/postgres_errors.h"
#include "postgres/postgres_records.h"
#include "postgres/postgres_script.h"

namespace migrate::postgres {
namespace {

constexpr const char* kIso = "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'";

std::string IsoOf(const std::string& column) {
  return "to_char(" + column + " AT TIME ZONE 'UTC', " + kIso + ")";
}

// FNV-1a of the lock table's name: the advisory lock key, so that two projects with
// different lock tables in one database do not block each other.
long long AdvisoryKey(const std::string& lock_table) {
  unsigned long long h = 14695981039346656037ULL;
  for (char c : "migrate:" + lock_table) {
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

class PostgresDriver final : public Driver {
 public:
  PostgresDriver(const PostgresOptions& options, std::unique_ptr<pqxx::connection> conn)
      : options_(options), conn_(std::move(conn)), notices_(*conn_) {
    pqxx::nontransaction q(*conn_);
    // A backend whose client died (kill -9) stops its query within seconds instead of
    // holding locks, and the advisory lock, until the query ends.
    q.exec("SET client_connection_check_interval = '2s'");
    history_ = QuoteTable(q, options.tables.history);
    lock_ = QuoteTable(q, options.tables.lock);
    log_ = QuoteTable(q, options.tables.log);
    names_ = Names(q);
    key_ = AdvisoryKey(options.tables.lock);
  }

  Capabilities GetCapabilities() override {
    int v = conn_->server_version();
    return {"postgres", std::string(kDialectPostgres),
            std::to_string(v / 10000) + "." + std::to_string(v % 10000), true};
  }

  const Dialect& GetDialect() const override { return PostgresDialect(); }

  void EnsureMetadata() override {
    Guard(
        [&] {
          if (Exists(history_) && Exists(lock_) && Exists(log_)) return;
          pqxx::work tx(*conn_);
          // Serialises creation among runners that start at once; held for this short
          // transaction only.
          tx.exec_params("SELECT pg_advisory_xact_lock($1)", key_ + 1);
          tx.exec("SET LOCAL client_min_messages = warning");
          for (const std::string& ddl : MetadataDdl(Names(tx))) tx.exec(ddl);
          tx.commit();
        },
        "cannot create migrate's tables");
  }

  std::vector<HistoryRow> ReadHistory() override {
    std::vector<HistoryRow> rows;
    Guard(
        [&] {
          pqxx::nontransaction q(*conn_);
          pqxx::result r;
          try {  // one round trip: a missing table is an empty history
            r = q.exec("SELECT version, slug, checksum, coalesce(down_checksum, ''), state, " +
                       IsoOf("applied_at") +
                       ", duration_ms, applied_by, tool_version, run_id, progress,"
                       " coalesce(fingerprint, '') FROM " +
                       history_);
          } catch (const pqxx::undefined_table&) {
            return;
          }
          rows.reserve(r.size());
          for (const auto& row : r) {
            HistoryRow h;
            h.version = row[0].c_str();
            h.slug = row[1].c_str();
            h.checksum = row[2].c_str();
            h.down_checksum = row[3].c_str();
            h.state = std::string_view(row[4].c_str()) == "started" ? HistoryState::kStarted
                                                                    : HistoryState::kApplied;
            h.applied_at = row[5].c_str();
            h.duration_ms = row[6].as<long long>();
            h.applied_by = row[7].c_str();
            h.tool_version = row[8].c_str();
            h.run_id = row[9].c_str();
            h.progress = row[10].as<int>();
            h.fingerprint = row[11].c_str();
            rows.push_back(std::move(h));
          }
        },
        "cannot read the history table");
    SortByVersion(rows);
    return rows;
  }

  LockAttempt TryLock(const LockRequest& request) override {
    LockAttempt attempt;
    Guard(
        [&] {
          if (!advisory_held_) {
            advisory_held_ = Single("SELECT pg_try_advisory_lock($1)").as<bool>();
          }
          // The advisory lock says whether the holder's session is alive: while it is, the
          // lock stays taken however long its migration runs (a CREATE INDEX CONCURRENTLY
          // can outlast any lease), and when it dies the lock is free at once. The row then
          // names the holder and fences it: a holder whose row was freed by hand (unlock)
          // never commits again.
          if (!advisory_held_) return;
          try {
            pqxx::work tx(*conn_);
            tx.exec("SET LOCAL lock_timeout = '200ms'");
            pqxx::result r = tx.exec_params(
                "INSERT INTO " + lock_ +
                    " (id, holder, run_id, acquired_at, expires_at) VALUES (1, $1, $2,"
                    " clock_timestamp(), clock_timestamp() + make_interval(secs => $3))"
                    " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder,"
                    " run_id = excluded.run_id, acquired_at = excluded.acquired_at,"
                    " expires_at = excluded.expires_at",
                request.Holder(), request.run_id, LeaseSeconds(request.lease));
            tx.commit();
            attempt.acquired = r.affected_rows() == 1;
          } catch (const pqxx::sql_error& e) {
            if (e.sqlstate() != "55P03") throw;
          }
          if (!attempt.acquired && advisory_held_) {
            Single("SELECT pg_advisory_unlock($1)");
            advisory_held_ = false;
          }
        },
        "cannot take the migration lock");
    if (!attempt.acquired) attempt.holder = ReadLock();
    return attempt;
  }

  void ReleaseLock(const LockRequest& request) noexcept override {
    try {
      pqxx::nontransaction q(*conn_);
      q.exec_params("DELETE FROM " + lock_ + " WHERE id = 1 AND run_id = $1", request.run_id);
      if (advisory_held_) q.exec_params("SELECT pg_advisory_unlock($1)", key_);
      advisory_held_ = false;
    } catch (...) {
      // The session ends with the process, which frees the advisory lock; the row's lease
      // then expires on its own.
    }
  }

  std::optional<LockHolder> ForceUnlock() override {
    std::optional<LockHolder> holder = ReadLock();
    Guard(
        [&] {
          if (!Exists(lock_)) return;
          pqxx::work tx(*conn_);
          tx.exec("DELETE FROM " + lock_);
          if (holder) {
            tx.exec_params(
                "INSERT INTO " + log_ +
                    " (run_id, event, actor, detail) VALUES ('', 'unlock', 'unknown', $1)",
                "freed by hand; was held by " + holder->holder);
          }
          tx.commit();
        },
        "cannot free the migration lock");
    return holder;
  }

  std::optional<LockHolder> ReadLock() override {
    std::optional<LockHolder> holder;
    Guard(
        [&] {
          if (!Exists(lock_)) return;
          pqxx::nontransaction q(*conn_);
          pqxx::result r = q.exec("SELECT holder, run_id, " + IsoOf("acquired_at") + ", " +
                                  IsoOf("expires_at") + " FROM " + lock_ + " WHERE id = 1");
          if (!r.empty()) {
            holder = LockHolder{r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str()};
          }
        },
        "cannot read the lock table");
    return holder;
  }

  long long Apply(const Step& step, const LockRequest& lease) override {
    return step.transactional ? ApplyInTransaction(step, lease) : ApplyStepwise(step, lease);
  }

  std::vector<SchemaObject> SnapshotSchema() override {
    std::vector<SchemaObject> out;
    Guard(
        [&] {
          pqxx::nontransaction q(*conn_);
          // Relations, columns, constraints, indexes, functions and types of every schema
          // but the system ones, migrate's own tables left out.
          pqxx::result r = q.exec_params(R"SQL(
WITH rels AS (
  SELECT c.oid, c.relkind, format('%I.%I', n.nspname, c.relname) AS name
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'
    AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
    AND c.oid NOT IN (to_regclass($1), to_regclass($2), to_regclass($3)))
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
                                         history_, lock_, log_);
          for (const auto& row : r) out.push_back({row[0].c_str(), row[1].c_str(), row[2].c_str()});
        },
        "cannot read the schema");
    return out;
  }

  std::string RenderScript(const std::vector<Step>& steps, const LockRequest& actor) override {
    pqxx::nontransaction q(*conn_);
    return postgres::RenderScript(Names(q), steps, actor,
                                  [&](const std::string& s) { return q.quote(s); });
  }

  void Repair(const std::string& version, bool mark_applied, const LockRequest& lease) override {
    Guard(
        [&] {
          pqxx::work tx(*conn_);
          RenewLease(tx, names_, lease);
          tx.exec_params(mark_applied
                             ? "UPDATE " + history_ + " SET state = 'applied' WHERE version = $1"
                             : "DELETE FROM " + history_ + " WHERE version = $1",
                         version);
          WriteLog(tx, names_, "repair", version, "", "", 0,
                   mark_applied ? "marked applied" : "row deleted", lease);
          tx.commit();
        },
        "cannot repair " + version);
  }

 private:
  template <typename F>
  void Guard(F&& body, const std::string& what) {
    try {
      body();
    } catch (const pqxx::broken_connection& e) {
      throw Error(ErrorCode::kConnection, what + ": lost the connection to PostgreSQL: " +
                                              CleanServerMessage(Redact(e.what())));
    } catch (const pqxx::sql_error& e) {
      throw Error(ErrorCode::kMigrationFailed, what + ": " + CleanServerMessage(Redact(e.what())),
                  {}, e.sqlstate());
    } catch (const pqxx::failure& e) {
      throw Error(ErrorCode::kConnection, what + ": " + CleanServerMessage(Redact(e.what())));
    }
  }

  static std::string QuoteTable(pqxx::transaction_base& q, const std::string& name) {
    std::size_t dot = name.find('.');
    if (dot == std::string::npos) return q.quote_name(name);
    return q.quote_name(name.substr(0, dot)) + "." + q.quote_name(name.substr(dot + 1));
  }

  MetadataNames Names(pqxx::transaction_base& tx) const {
    MetadataNames n{history_, lock_, log_, {}};
    for (const std::string& t :
         {options_.tables.history, options_.tables.lock, options_.tables.log}) {
      std::size_t dot = t.find('.');
      if (dot != std::string::npos) n.schemas.push_back(tx.quote_name(t.substr(0, dot)));
    }
    return n;
  }

  // Runs a one-value query about the advisory lock key ($1) outside any transaction.
  pqxx::field Single(const std::string& sql) {
    pqxx::nontransaction q(*conn_);
    pqxx::result r = q.exec_params(sql, key_);
    return r[0][0];
  }

  bool Exists(const std::string& quoted) {
    pqxx::nontransaction q(*conn_);
    return !q.exec_params("SELECT to_regclass($1)", quoted)[0][0].is_null();
  }

  void SetTimeouts(pqxx::transaction_base& tx, const Step& step, const char* scope) {
    if (step.lock_timeout) {
      tx.exec(std::string("SET ") + scope + "lock_timeout = '" +
              std::to_string(step.lock_timeout->count()) + "ms'");
    }
    if (step.statement_timeout) {
      tx.exec(std::string("SET ") + scope + "statement_timeout = '" +
              std::to_string(step.statement_timeout->count()) + "ms'");
    }
  }

  void RunStatement(pqxx::transaction_base& tx, const Step& step, std::size_t i) {
    const Statement& st = step.statements[i];
    try {
      tx.exec(step.sql.substr(st.offset, st.length));
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error& e) {
      throw StatementError(e, step, i);
    }
  }

  long long ApplyInTransaction(const Step& step, const LockRequest& lease) {
    auto t0 = std::chrono::steady_clock::now();
    long long ms = 0;
    Guard(
        [&] {
          // The lease is checked once, last before COMMIT: while this session holds the
          // advisory lock no other runner can take the lock row.
          pqxx::work tx(*conn_);
          SetTimeouts(tx, step, "LOCAL ");
          for (std::size_t i = 0; i < step.statements.size(); ++i) RunStatement(tx, step, i);
          ms = MillisSince(t0);
          // History row, log row and lease check in one round trip, just before COMMIT.
          RecordStep(tx, names_, step, lease, ms);
          try {
            tx.commit();
          } catch (const pqxx::in_doubt_error& e) {
            throw Error(ErrorCode::kConnection,
                        step.file +
                            ": the connection broke during COMMIT, so whether it applied is "
                            "unknown; run 'migrate status' to see (the history row was part "
                            "of the same transaction)");
          }
        },
        step.file);
    return ms;
  }

  long long ApplyStepwise(const Step& step, const LockRequest& lease) {
    auto t0 = std::chrono::steady_clock::now();
    Guard(
        [&] {
          pqxx::work tx(*conn_);
          RenewLease(tx, names_, lease);
          if (step.direction == Direction::kUp) {
            WriteStarted(tx, names_, step, lease);
          } else {
            tx.exec_params(
                "UPDATE " + history_ + " SET state = 'started', progress = 0 WHERE version = $1",
                step.version);
          }
          tx.commit();
        },
        step.file);
    Guard(
        [&] {
          pqxx::nontransaction q(*conn_);
          SetTimeouts(q, step, "");
          for (std::size_t i = static_cast<std::size_t>(step.resume_from);
               i < step.statements.size(); ++i) {
            RunStatement(q, step, i);
            q.exec_params("UPDATE " + history_ + " SET progress = $1 WHERE version = $2",
                          static_cast<int>(i + 1), step.version);
          }
          q.exec("RESET lock_timeout");
          q.exec("RESET statement_timeout");
        },
        step.file);
    long long ms = MillisSince(t0);
    Guard(
        [&] {
          pqxx::work tx(*conn_);
          RecordStep(tx, names_, step, lease, ms);
          tx.commit();
        },
        step.file);
    return ms;
  }

  PostgresOptions options_;
  std::unique_ptr<pqxx::connection> conn_;
  Notices notices_;
  std::string history_, lock_, log_;
  MetadataNames names_;  // the three above, and their schemas
  long long key_ = 0;
  bool advisory_held_ = false;
};

}  // namespace

std::unique_ptr<Driver> OpenPostgres(const PostgresOptions& options) {
  for (const std::string& s : SecretsOfUrl(options.url)) RegisterSecret(s);
  std::unique_ptr<pqxx::connection> conn;
  try {
    conn = std::make_unique<pqxx::connection>(WithDefaults(options.url));
  } catch (const pqxx::broken_connection& e) {
    throw ConnectionError(e, RedactUrl(options.url));
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kConnection,
                "cannot connect to " + RedactUrl(options.url) + ": " + Redact(e.what()));
  }
  try {
    return std::make_unique<PostgresDriver>(options, std::move(conn));
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kConnection, "cannot set up the session on " + RedactUrl(options.url) +
                                            ": " + CleanServerMessage(Redact(e.what())));
  }
}

}  // namespace migrate::postgres
