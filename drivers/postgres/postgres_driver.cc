#include "postgres/postgres_driver.h"

#include <unistd.h>

#include <chrono>
#include <functional>
#include <iostream>
#include <pqxx/pqxx>

#include "migrate/redact.h"
#include "migrate/transaction.h"
#include "postgres/postgres_catalog.h"
#include "postgres/postgres_errors.h"
#include "postgres/postgres_progress.h"
#include "postgres/postgres_records.h"
#include "postgres/postgres_rehearsal.h"
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

// Sends server NOTICEs nowhere and WARNINGs to stderr, prefixed, instead of libpq's default.
// libpq writes a server's as "WARNING:  text" (two spaces); libpqxx's own warnings ("WARNING:
// Connection lost while committing…", one space) repeat what the error thrown after them says.
class Notices final : public pqxx::errorhandler {
 public:
  explicit Notices(pqxx::connection_base& c) : pqxx::errorhandler(c) {}
  bool operator()(const char msg[]) noexcept override {
    std::string_view m(msg);
    if (m.rfind("WARNING:  ", 0) == 0) std::cerr << "migrate: server " << m;
    return false;
  }
};

std::optional<LockHolder> HolderOf(const pqxx::result& r) {
  if (r.empty()) return std::nullopt;
  return LockHolder{r[0][0].c_str(), r[0][1].c_str(), r[0][2].c_str(), r[0][3].c_str()};
}

// `statements` as one multi-statement string: sent in one round trip.
std::string Joined(const std::vector<std::string>& statements) {
  std::string out;
  for (const std::string& s : statements) out += s + ";\n";
  return out;
}

// Runs a clean-up when destroyed: declared first in PostgresDriver, it runs last, once the
// session is closed.
struct OnClose {
  std::function<void()> action;
  ~OnClose() {
    if (action) action();
  }
};

class PostgresDriver final : public Driver {
 public:
  PostgresDriver(const PostgresOptions& options, std::unique_ptr<PgConnection> conn,
                 std::function<void()> on_close = {})
      : on_close_{std::move(on_close)},
        url_(options.url),
        tables_(options.tables),
        configured_(options.tables),
        session_(std::move(conn)),
        notices_(session_.connection()),
        steps_(session_, tables_),
        key_(AdvisoryKey(options.tables.lock)) {}

  Capabilities GetCapabilities() override {
    int v = session_.connection().server_version();
    return {"postgres", std::to_string(v / 10000) + "." + std::to_string(v % 10000), v};
  }

  const Dialect& GetDialect() const override { return PostgresDialect(); }

  void EnsureMetadata() override {
    Guard("cannot create migrate's tables", [&] {
      pqxx::result current = session_.Exec(MetadataCurrent(tables_));
      // From here on (migrations run next), the names no longer follow search_path: a
      // migration with pg_dump's set_config('search_path', '', false) keeps its history row.
      if (!current[0][1].is_null()) tables_ = tables_.QualifiedIn(current[0][1].c_str());
      if (current[0][0].as<bool>()) return;
      InTransaction(session_, [&] {
        // Serialises creation among runners that start at once (held for this short
        // transaction only), then whether the history exists: one message, whose last result
        // libpq returns. The DDL is one more, an upgrade another: a few round trips, not 14.
        bool upgrade =
            !session_
                 .Exec("SELECT pg_advisory_xact_lock(" + std::to_string(key_ + 1) +
                       "); SET LOCAL client_min_messages = warning; SELECT to_regclass(" +
                       session_.Quote(tables_.history.Quoted()) + ")")[0][0]
                 .is_null();
        session_.Exec(Joined(MetadataDdl(tables_)));
        // A history table of an older migrate lacks a state word in its CHECK.
        if (upgrade) session_.Exec(Joined(UpgradeHistory(tables_)));
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
        if (SqlStateOf(e) != "55P03") throw;  // lock_not_available: someone is on the row
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

  void Interrupt() noexcept override {
    try {
      session_.connection().cancel_query();
    } catch (...) {
      // nothing runs, or the connection is gone: the step ends on its own
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
      try {  // one round trip: a missing table is no holder (never called in a transaction)
        holder = HolderOf(session_.Exec(postgres::ReadLock(tables_)));
      } catch (const pqxx::undefined_table&) {
      }
    });
    return holder;
  }

  StepSink& Steps() override { return steps_; }

  std::optional<std::vector<TextRow>> ReadForeignTable(
      const QualifiedName& table, const std::vector<std::string>& columns) override {
    std::optional<std::vector<TextRow>> rows;
    Guard("cannot read " + table.ToString(), [&] {
      if (!Exists(table)) return;
      pqxx::result r = session_.Exec(SelectAsText(table, columns));
      rows.emplace();
      for (const auto& row : r) {
        TextRow& out = rows->emplace_back();
        for (const auto& cell : row) {
          out.push_back(cell.is_null() ? std::nullopt : std::optional<std::string>(cell.c_str()));
        }
      }
    });
    return rows;
  }

  Catalog ReadCatalog() override {
    Catalog catalog;
    Guard("cannot read the schema",
          [&] { catalog = ReadPostgresCatalog(session_.connection(), tables_, configured_); });
    return catalog;
  }

  std::optional<SchemaSnapshot> ReadSnapshot() override {
    std::optional<SchemaSnapshot> snapshot;
    Guard("cannot read the schema snapshot", [&] {
      pqxx::result r;
      try {  // a missing table: no snapshot yet
        r = session_.Exec(SelectSnapshot(tables_));
      } catch (const pqxx::undefined_table&) {
        return;
      }
      if (r.empty()) return;
      snapshot = SchemaSnapshot{r[0][0].c_str(), r[0][1].c_str(), r[0][2].as<int>(),
                                r[0][3].c_str(), r[0][4].c_str(), r[0][5].c_str(),
                                r[0][6].c_str(), r[0][7].c_str(), ""};
    });
    return snapshot;
  }

  void WriteSnapshot(const SchemaSnapshot& snapshot, const LockRequest& lease) override {
    // In a transaction: when the lease was lost, the snapshot is not kept either.
    Guard("cannot store the schema snapshot", [&] {
      InTransaction(session_, [&] {
        if (session_.Exec(postgres::WriteSnapshot(tables_, snapshot, lease)).affected_rows() != 1) {
          throw LockLostError();
        }
      });
    });
  }

  std::string RenderScript(const std::vector<Step>& steps, const LockRequest& actor) override {
    std::string script;
    Guard("cannot render the script", [&] {
      // Qualified as a run would: the script's own migrations may change search_path.
      pqxx::result schema = session_.Exec("SELECT current_schema()");
      TableNames tables =
          schema[0][0].is_null() ? tables_ : tables_.QualifiedIn(schema[0][0].c_str());
      script = postgres::RenderScript(tables, steps, actor,
                                      [&](const std::string& s) { return session_.Quote(s); });
    });
    return script;
  }

  std::unique_ptr<ProgressProbe> OpenProgressProbe() override {
    return OpenPostgresProbe(url_, session_.connection().backendpid(),
                             session_.connection().server_version());
  }

  std::unique_ptr<Rehearsal> BeginRehearsal() override {
    std::unique_ptr<Rehearsal> rehearsal;
    Guard("cannot begin the rehearsal",
          [&] { rehearsal = BeginPostgresRehearsal(session_, steps_); });
    return rehearsal;
  }

  void Repair(const RepairRequest& request, const LockRequest& lease) override {
    Guard("cannot repair " + request.version, [&] {
      InTransaction(session_, [&] {
        if (session_.Exec(postgres::Repair(tables_, request, lease)).affected_rows() != 1) {
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

  OnClose on_close_;
  std::string url_;        // for the connection of a progress probe
  TableNames tables_;      // qualified in the connection's schema once EnsureMetadata ran
  TableNames configured_;  // as the configuration named them
  Session session_;
  Notices notices_;
  LiveSteps steps_;
  long long key_ = 0;
  bool advisory_held_ = false;
};

}  // namespace

namespace {

std::unique_ptr<Driver> Open(const PostgresOptions& options, std::function<void()> on_close) {
  // A backend whose client died (kill -9) stops its query within seconds instead of holding
  // locks, and the advisory lock, until the query ends. Set at connection start-up (libpq's
  // `options`): no round trip of its own.
  std::unique_ptr<PgConnection> conn;
  bool set_after = false;
  try {
    conn = Connect(WithSessionSetting(options.url, "client_connection_check_interval", "2s"));
  } catch (const Error& e) {
    if (!RefusesStartupOptions(e.what())) throw;
    conn = Connect(options.url);  // a pooler (PgBouncer) that passes no options: SET after
    set_after = true;
  }
  try {
    if (set_after) {
      pqxx::nontransaction(*conn).exec("SET client_connection_check_interval = '2s'");
    }
    return std::make_unique<PostgresDriver>(options, std::move(conn), std::move(on_close));
  } catch (const pqxx::failure& e) {
    throw Error(ErrorCode::kConnection, "cannot set up the session on " + RedactUrl(options.url) +
                                            ": " + CleanServerMessage(e.what()));
  }
}

// Runs `sql` (CREATE or DROP DATABASE, which cannot run in a transaction) on `url`'s server.
void OnServer(const std::string& url, const std::string& sql) {
  std::unique_ptr<PgConnection> admin = Connect(url);
  Guard("cannot " + sql, [&] {
    pqxx::nontransaction q(*admin);
    q.exec(sql);
  });
}

}  // namespace

std::unique_ptr<Driver> OpenPostgres(const PostgresOptions& options) { return Open(options, {}); }

std::unique_ptr<Driver> OpenTemporaryPostgres(const std::string& server_url,
                                              const TableNames& tables) {
  std::string name = "migrate_scratch_" + std::to_string(::getpid()) + "_" +
                     std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
  try {
    OnServer(server_url, "CREATE DATABASE " + name);
  } catch (const Error& e) {
    bool denied = e.sqlstate() == "42501";  // insufficient_privilege
    throw Error(ErrorCode::kConnection,
                "cannot create a temporary database on " + RedactUrl(server_url) + " (" + e.what() +
                    ")" +
                    (denied ? "; the role needs CREATEDB, or name a server where it has it with "
                              "--dev-url or the environment's dev_url"
                            : ""),
                {}, e.sqlstate());
  }
  auto drop = [server_url, name] {
    try {
      OnServer(server_url, "DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
    } catch (const Error& e) {
      std::cerr << "migrate: could not drop the temporary database " << name << ": " << e.what()
                << "\n";
    }
  };
  try {
    return Open({UrlWithDatabase(server_url, name), tables}, drop);
  } catch (...) {
    drop();
    throw;
  }
}

std::string UrlWithDatabase(const std::string& url, const std::string& database) {
  std::size_t authority = url.find("://");
  authority = authority == std::string::npos ? 0 : authority + 3;
  std::size_t query = url.find('?', authority);
  std::size_t path = url.find('/', authority);
  if (path == std::string::npos || (query != std::string::npos && path > query)) path = query;
  if (path == std::string::npos) return url + "/" + database;
  std::size_t end = query == std::string::npos ? url.size() : query;
  return url.substr(0, path) + "/" + database + url.substr(end);
}

}  // namespace migrate::postgres
