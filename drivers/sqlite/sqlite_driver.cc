#include "sqlite/sqlite_driver.h"

#include <SQLiteCpp/SQLiteCpp.h>
#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <unordered_map>

#include "migrate/stopwatch.h"
#include "migrate/text.h"
#include "sqlite/sqlite_dialect.h"
#include "sqlite/sqlite_fk_watch.h"

namespace migrate::sqlite {
namespace {

constexpr const char* kNow = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

std::string Quote(const std::string& name) {
  std::string out;
  std::size_t dot = name.find('.');
  auto one = [](std::string_view part) { return "\"" + std::string(part) + "\""; };
  if (dot == std::string::npos) return one(name);
  return one(std::string_view(name).substr(0, dot)) + "." +
         one(std::string_view(name).substr(dot + 1));
}

std::string LeaseModifier(std::chrono::milliseconds lease) {
  return "+" + std::to_string(lease.count() / 1000) + "." +
         std::to_string(1000 + lease.count() % 1000).substr(1) + " seconds";
}

Error Translate(const SQLite::Exception& e, ErrorCode code, const std::string& what) {
  return Error(code, what + ": " + e.what(), {},
               "SQLITE_" + std::to_string(e.getExtendedErrorCode()));
}

class SqliteDriver final : public Driver {
 public:
  SqliteDriver(const SqliteOptions& options, SQLite::Database db)
      : options_(options), db_(std::move(db)) {
    history_ = Quote(options.tables.history);
    lock_ = Quote(options.tables.lock);
    log_ = Quote(options.tables.log);
  }

  ~SqliteDriver() override {
    if (!sqlite3_get_autocommit(db_.getHandle())) db_.tryExec("ROLLBACK");
  }

  Capabilities GetCapabilities() override {
    return {"sqlite", std::string(kDialectSqlite), sqlite3_libversion(), true};
  }

  const Dialect& GetDialect() const override { return SqliteDialect(); }

  void EnsureMetadata() override {
    Guard(
        [&] {
          if (TableExists(options_.tables.history) && TableExists(options_.tables.lock) &&
              TableExists(options_.tables.log)) {
            return;
          }
          Tx tx(*this);
          db_.exec(
              "CREATE TABLE IF NOT EXISTS " + history_ +
              " (version TEXT PRIMARY KEY NOT NULL, slug TEXT NOT NULL, checksum TEXT NOT NULL,"
              " down_checksum TEXT, state TEXT NOT NULL CHECK (state IN ('applied','started')),"
              " progress INTEGER NOT NULL DEFAULT 0, applied_at TEXT NOT NULL,"
              " duration_ms INTEGER NOT NULL DEFAULT 0, applied_by TEXT NOT NULL,"
              " tool_version TEXT NOT NULL, run_id TEXT NOT NULL, fingerprint TEXT)"
              // One b-tree keyed by version, not a rowid table plus an index: each
              // migration's commit writes one page fewer.
              " WITHOUT ROWID");
          db_.exec("CREATE TABLE IF NOT EXISTS " + lock_ +
                   " (id INTEGER PRIMARY KEY CHECK (id = 1), holder TEXT NOT NULL,"
                   " run_id TEXT NOT NULL, acquired_at TEXT NOT NULL, expires_at TEXT NOT NULL)");
          db_.exec("CREATE TABLE IF NOT EXISTS " + log_ +
                   // Append-only, so rowids only grow; AUTOINCREMENT would cost a write to
                   // sqlite_sequence in every migration's transaction.
                   " (id INTEGER PRIMARY KEY, at TEXT NOT NULL, run_id TEXT NOT NULL,"
                   " event TEXT NOT NULL, version TEXT, slug TEXT, checksum TEXT,"
                   " duration_ms INTEGER, actor TEXT NOT NULL, detail TEXT)");
          tx.Commit();
        },
        ErrorCode::kConnection, "cannot create migrate's tables");
  }

  std::vector<HistoryRow> ReadHistory() override {
    std::vector<HistoryRow> rows;
    Guard(
        [&] {
          if (!TableExists(options_.tables.history)) return;
          SQLite::Statement q(
              db_,
              "SELECT version, slug, checksum, coalesce(down_checksum,''), state,"
              " applied_at, duration_ms, applied_by, tool_version, run_id, progress,"
              " coalesce(fingerprint, '') FROM " +
                  history_);
          while (q.executeStep()) {
            HistoryRow r;
            r.version = q.getColumn(0).getString();
            r.slug = q.getColumn(1).getString();
            r.checksum = q.getColumn(2).getString();
            r.down_checksum = q.getColumn(3).getString();
            r.state = q.getColumn(4).getString() == "started" ? HistoryState::kStarted
                                                              : HistoryState::kApplied;
            r.applied_at = q.getColumn(5).getString();
            r.duration_ms = q.getColumn(6).getInt64();
            r.applied_by = q.getColumn(7).getString();
            r.tool_version = q.getColumn(8).getString();
            r.run_id = q.getColumn(9).getString();
            r.progress = q.getColumn(10).getInt();
            r.fingerprint = q.getColumn(11).getString();
            rows.push_back(std::move(r));
          }
        },
        ErrorCode::kConnection, "cannot read the history table");
    SortByVersion(rows);
    return rows;
  }

  LockAttempt TryLock(const LockRequest& request) override {
    LockAttempt attempt;
    // Poll quickly: the engine decides how long to keep trying.
    sqlite3_busy_timeout(db_.getHandle(), 200);
    try {
      SQLite::Statement q(
          db_, "INSERT INTO " + lock_ +
                   " (id, holder, run_id, acquired_at, expires_at) VALUES (1, ?, ?, " + kNow +
                   ", strftime('%Y-%m-%dT%H:%M:%fZ','now',?))"
                   " ON CONFLICT(id) DO UPDATE SET holder = excluded.holder,"
                   " run_id = excluded.run_id, acquired_at = excluded.acquired_at,"
                   " expires_at = excluded.expires_at"
                   " WHERE expires_at < excluded.acquired_at OR run_id = excluded.run_id");
      q.bind(1, request.Holder());
      q.bind(2, request.run_id);
      q.bind(3, LeaseModifier(request.lease));
      q.exec();
      attempt.acquired = db_.getChanges() == 1;
    } catch (const SQLite::Exception& e) {
      if (e.getErrorCode() != SQLITE_BUSY && e.getErrorCode() != SQLITE_LOCKED) {
        RestoreBusyTimeout();
        throw Translate(e, ErrorCode::kConnection, "cannot take the migration lock");
      }
    }
    if (!attempt.acquired) {
      try {
        attempt.holder = ReadLock();
      } catch (const Error&) {
        // Busy: the holder is in the middle of a migration; we only lack its name.
      }
    }
    RestoreBusyTimeout();
    return attempt;
  }

  void ReleaseLock(const LockRequest& request) noexcept override {
    try {
      SQLite::Statement q(db_, "DELETE FROM " + lock_ + " WHERE id = 1 AND run_id = ?");
      q.bind(1, request.run_id);
      q.exec();
    } catch (...) {
      // The lease expires on its own; a release that fails must not hide the real outcome.
    }
  }

  std::optional<LockHolder> ForceUnlock() override {
    std::optional<LockHolder> holder;
    Guard(
        [&] {
          Tx tx(*this);
          holder = ReadLock();
          db_.exec("DELETE FROM " + lock_);
          if (holder)
            Log("unlock", "", "", "", 0, "freed by hand; was held by " + holder->holder, "");
          tx.Commit();
        },
        ErrorCode::kConnection, "cannot free the migration lock");
    return holder;
  }

  std::optional<LockHolder> ReadLock() override {
    std::optional<LockHolder> holder;
    Guard(
        [&] {
          if (!TableExists(options_.tables.lock)) return;
          SQLite::Statement q(db_, "SELECT holder, run_id, acquired_at, expires_at FROM " + lock_ +
                                       " WHERE id = 1");
          if (q.executeStep()) {
            holder = LockHolder{q.getColumn(0).getString(), q.getColumn(1).getString(),
                                q.getColumn(2).getString(), q.getColumn(3).getString()};
          }
        },
        ErrorCode::kConnection, "cannot read the lock table");
    return holder;
  }

  long long Apply(const Step& step, const LockRequest& lease) override {
    return step.transactional ? ApplyInTransaction(step, lease) : ApplyStepwise(step, lease);
  }

  std::vector<SchemaObject> SnapshotSchema() override {
    std::vector<SchemaObject> out;
    Guard(
        [&] {
          SQLite::Statement q(db_,
                              "SELECT type, name, coalesce(sql, '') FROM sqlite_master WHERE "
                              "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND tbl_name NOT IN (?, ?, ?)"
                              " ORDER BY type, name");
          q.bind(1, Unqualified(options_.tables.history));
          q.bind(2, Unqualified(options_.tables.lock));
          q.bind(3, Unqualified(options_.tables.log));
          while (q.executeStep()) {
            out.push_back({q.getColumn(0).getString(), q.getColumn(1).getString(),
                           q.getColumn(2).getString()});
          }
        },
        ErrorCode::kConnection, "cannot read the schema");
    return out;
  }

  std::string RenderScript(const std::vector<Step>&, const LockRequest&) override {
    throw Error(ErrorCode::kUsage,
                "plan --format sql writes psql scripts for PostgreSQL; on SQLite use 'migrate "
                "run' (try it on a copy of the file first)");
  }

  void Repair(const std::string& version, bool mark_applied, const LockRequest& lease) override {
    Guard(
        [&] {
          Tx tx(*this);
          Renew(lease);
          SQLite::Statement q(
              db_, mark_applied ? "UPDATE " + history_ + " SET state = 'applied' WHERE version = ?"
                                : "DELETE FROM " + history_ + " WHERE version = ?");
          q.bind(1, version);
          q.exec();
          Log("repair", version, "", "", 0, mark_applied ? "marked applied" : "row deleted",
              lease.run_id, lease.Holder());
          tx.Commit();
        },
        ErrorCode::kMigrationFailed, "cannot repair " + version);
  }

 private:
  // BEGIN IMMEDIATE ... COMMIT; rolls back in the destructor unless committed.
  class Tx {
   public:
    explicit Tx(SqliteDriver& d) : d_(d) { d_.db_.exec("BEGIN IMMEDIATE"); }
    ~Tx() {
      if (!done_) d_.db_.tryExec("ROLLBACK");
    }
    void Commit() {
      d_.db_.exec("COMMIT");
      done_ = true;
    }

   private:
    SqliteDriver& d_;
    bool done_ = false;
  };

  template <typename F>
  void Guard(F&& body, ErrorCode code, const std::string& what) {
    try {
      body();
    } catch (const SQLite::Exception& e) {
      throw Translate(e, code, what);
    }
  }

  void RestoreBusyTimeout() {
    sqlite3_busy_timeout(db_.getHandle(), static_cast<int>(options_.busy_timeout.count()));
  }

  static std::string Unqualified(const std::string& name) {
    std::size_t dot = name.find('.');
    return dot == std::string::npos ? name : name.substr(dot + 1);
  }

  bool TableExists(const std::string& name) {
    std::size_t dot = name.find('.');
    std::string schema = dot == std::string::npos ? "main" : name.substr(0, dot);
    std::string table = dot == std::string::npos ? name : name.substr(dot + 1);
    SQLite::Statement q(
        db_, "SELECT 1 FROM \"" + schema + "\".sqlite_master WHERE type = 'table' AND name = ?");
    q.bind(1, table);
    return q.executeStep();
  }

  // Extends our lease; throws Error(kLockLost) when the lock row is no longer ours.
  // A prepared statement kept for the life of the connection: the statements that run for
  // every migration are parsed once, not once per migration.
  SQLite::Statement& Cached(const std::string& sql) {
    std::unique_ptr<SQLite::Statement>& q = cache_[sql];
    if (!q) q = std::make_unique<SQLite::Statement>(db_, sql);
    q->reset();
    q->clearBindings();
    return *q;
  }

  // Checks that `lease` still holds the lock row, and extends it once half of it has passed
  // (a write costs pages in the journal; a check does not). Throws Error(kLockLost).
  void Renew(const LockRequest& lease) {
    auto now = std::chrono::steady_clock::now();
    bool extend = lease.run_id != renewed_run_ || now - renewed_at_ >= lease.lease / 2;
    if (extend) {
      SQLite::Statement& q = Cached("UPDATE " + lock_ +
                                    " SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ','now',?)"
                                    " WHERE id = 1 AND run_id = ?");
      q.bind(1, LeaseModifier(lease.lease));
      q.bind(2, lease.run_id);
      q.exec();
      extend = db_.getChanges() == 1;
      if (extend) {
        renewed_at_ = now;
        renewed_run_ = lease.run_id;
      }
    } else {
      SQLite::Statement& q = Cached("SELECT 1 FROM " + lock_ + " WHERE id = 1 AND run_id = ?");
      q.bind(1, lease.run_id);
      extend = q.executeStep();
      q.reset();  // an unfinished read would keep DROP TABLE from running ("table is locked")
    }
    if (!extend) {
      renewed_run_.clear();
      throw Error(ErrorCode::kLockLost,
                  "this run no longer holds the migration lock (its lease expired and another "
                  "runner took it); stopped before committing anything more");
    }
  }

  void Log(const std::string& event, const std::string& version, const std::string& slug,
           const std::string& checksum, long long duration_ms, const std::string& detail,
           const std::string& run_id, const std::string& actor = "") {
    SQLite::Statement& q =
        Cached("INSERT INTO " + log_ +
               " (at, run_id, event, version, slug, checksum, duration_ms, actor,"
               " detail) VALUES (" +
               kNow + ", ?, ?, ?, ?, ?, ?, ?, ?)");
    q.bind(1, run_id);
    q.bind(2, event);
    q.bind(3, version);
    q.bind(4, slug);
    q.bind(5, checksum);
    q.bind(6, static_cast<int64_t>(duration_ms));
    q.bind(7, actor.empty() ? std::string("unknown") : actor);
    q.bind(8, detail);
    q.exec();
  }

  // Runs statement `i` of `step`; throws Error(kMigrationFailed) at its location.
  void RunStatement(const Step& step, std::size_t i) {
    const Statement& st = step.statements[i];
    const char* begin = step.sql.data() + st.offset;
    sqlite3* db = db_.getHandle();
    sqlite3_stmt* stmt = nullptr;
    const char* tail = nullptr;
    int rc = sqlite3_prepare_v2(db, begin, static_cast<int>(st.length), &stmt, &tail);
    if (rc == SQLITE_OK && stmt) {
      do {
        rc = sqlite3_step(stmt);
      } while (rc == SQLITE_ROW);
      if (rc == SQLITE_DONE) rc = SQLITE_OK;
    }
    if (rc != SQLITE_OK) {
      std::string message = sqlite3_errmsg(db);
      int extended = sqlite3_extended_errcode(db);
      int where = sqlite3_error_offset(db);
      sqlite3_finalize(stmt);
      SourceLocation loc = step.Location(i, where >= 0 ? static_cast<std::size_t>(where) : 0);
      throw Error(ErrorCode::kMigrationFailed,
                  loc.ToString() + ": statement " + std::to_string(i + 1) + " of " +
                      std::to_string(step.statements.size()) + " failed: " + message + "\n  " +
                      Excerpt(std::string_view(begin, st.length)),
                  loc, "SQLITE_" + std::to_string(extended));
    }
    sqlite3_finalize(stmt);
  }

  // The tables whose foreign keys to watch leave out migrate's own.
  std::set<std::string> OwnTables() const {
    std::set<std::string> out;
    for (const std::string& t :
         {options_.tables.history, options_.tables.lock, options_.tables.log}) {
      std::string name = Unqualified(t);
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      out.insert(name);
    }
    return out;
  }

  void CheckForeignKeys(const Step& step, ForeignKeyWatch& watch) {
    std::string violation = watch.Check();
    if (violation.empty()) return;
    throw Error(ErrorCode::kMigrationFailed,
                step.file + ": foreign key violation after the migration: " + violation +
                    " (PRAGMA foreign_key_check); nothing was committed",
                SourceLocation{step.file});
  }

  void WriteHistory(const Step& step, const LockRequest& lease, long long ms, bool started) {
    if (step.direction == Direction::kDown) {
      SQLite::Statement& q = Cached("DELETE FROM " + history_ + " WHERE version = ?");
      q.bind(1, step.version);
      q.exec();
      return;
    }
    SQLite::Statement q(
        db_, "INSERT OR REPLACE INTO " + history_ +
                 " (version, slug, checksum, down_checksum, state, progress,"
                 " applied_at, duration_ms, applied_by, tool_version, run_id, fingerprint)"
                 " VALUES (?, ?, ?, ?, ?, ?, " +
                 kNow + ", ?, ?, ?, ?, ?)");
    q.bind(1, step.version);
    q.bind(2, step.slug);
    q.bind(3, step.checksum);
    if (step.down_checksum.empty()) {
      q.bind(4);
    } else {
      q.bind(4, step.down_checksum);
    }
    q.bind(5, started ? "started" : "applied");
    q.bind(6, started ? step.resume_from : static_cast<int>(step.statements.size()));
    q.bind(7, static_cast<int64_t>(ms));
    q.bind(8, lease.Holder());
    q.bind(9, step.tool_version);
    q.bind(10, lease.run_id);
    q.bind(11, step.fingerprint);
    q.exec();
  }

  void LogStep(const Step& step, const LockRequest& lease, long long ms) {
    Log(DirectionName(step.direction), step.version, step.slug,
        step.direction == Direction::kUp ? step.checksum : step.down_checksum, ms, step.file,
        lease.run_id, lease.Holder());
  }

  long long ApplyInTransaction(const Step& step, const LockRequest& lease) {
    auto t0 = std::chrono::steady_clock::now();
    long long ms = 0;
    Guard(
        [&] {
          // BEGIN IMMEDIATE keeps every other writer out until COMMIT, so one renewal, the
          // last statement before COMMIT, both checks and extends the lease.
          Tx tx(*this);
          ForeignKeyWatch watch(db_, OwnTables());
          for (std::size_t i = 0; i < step.statements.size(); ++i) RunStatement(step, i);
          CheckForeignKeys(step, watch);
          ms = MillisSince(t0);
          WriteHistory(step, lease, ms, false);
          LogStep(step, lease, ms);
          Renew(lease);
          tx.Commit();
        },
        ErrorCode::kMigrationFailed, step.file);
    return ms;
  }

  long long ApplyStepwise(const Step& step, const LockRequest& lease) {
    auto t0 = std::chrono::steady_clock::now();
    Guard(
        [&] {
          Tx tx(*this);
          Renew(lease);
          if (step.direction == Direction::kUp) {
            WriteHistory(step, lease, 0, true);
          } else {
            SQLite::Statement q(db_, "UPDATE " + history_ +
                                         " SET state = 'started', progress = 0 WHERE version = ?");
            q.bind(1, step.version);
            q.exec();
          }
          tx.Commit();
        },
        ErrorCode::kMigrationFailed, step.file);
    for (std::size_t i = static_cast<std::size_t>(step.resume_from); i < step.statements.size();
         ++i) {
      RunStatement(step, i);
      Guard(
          [&] {
            SQLite::Statement q(db_, "UPDATE " + history_ + " SET progress = ? WHERE version = ?");
            q.bind(1, static_cast<int>(i + 1));
            q.bind(2, step.version);
            q.exec();
          },
          ErrorCode::kMigrationFailed, step.file);
    }
    if (!sqlite3_get_autocommit(db_.getHandle())) {
      db_.tryExec("ROLLBACK");
      throw Error(ErrorCode::kMigrationFailed,
                  step.file + ": the file leaves a transaction open; end it with COMMIT",
                  SourceLocation{step.file});
    }
    long long ms = MillisSince(t0);
    Guard(
        [&] {
          Tx tx(*this);
          Renew(lease);
          WriteHistory(step, lease, ms, false);
          LogStep(step, lease, ms);
          tx.Commit();
        },
        ErrorCode::kMigrationFailed, step.file);
    return ms;
  }

  SqliteOptions options_;
  SQLite::Database db_;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;  // before db_ dies
  std::string renewed_run_;  // the lease this connection last extended, and when
  std::chrono::steady_clock::time_point renewed_at_;
  std::string history_, lock_, log_;
};

}  // namespace

std::unique_ptr<Driver> OpenSqlite(const SqliteOptions& options) {
  if (!options.create && options.path != ":memory:" && !std::filesystem::exists(options.path)) {
    throw Error(ErrorCode::kConnection,
                "no SQLite database at " + options.path + " (run 'migrate run' to create it)");
  }
  try {
    int flags = SQLite::OPEN_READWRITE | (options.create ? SQLite::OPEN_CREATE : 0);
    SQLite::Database db(options.path, flags, static_cast<int>(options.busy_timeout.count()));
    db.exec("PRAGMA foreign_keys = OFF");
    return std::make_unique<SqliteDriver>(options, std::move(db));
  } catch (const SQLite::Exception& e) {
    throw Error(ErrorCode::kConnection,
                "cannot open SQLite database " + options.path + ": " + e.what());
  }
}

}  // namespace migrate::sqlite
