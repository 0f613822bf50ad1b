#include "sqlite/sqlite_driver.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "migrate/transaction.h"
#include "sqlite/sqlite_catalog.h"
#include "sqlite/sqlite_connection.h"
#include "sqlite/sqlite_records.h"
#include "sqlite/sqlite_rehearsal.h"
#include "sqlite/sqlite_steps.h"

namespace migrate::sqlite {
namespace {

std::optional<LockHolder> HolderOf(Connection& c, const TableNames& t) {
  std::optional<LockHolder> holder;
  c.Query(ReadLock(t), [&](SQLite::Statement& q) {
    holder = LockHolder{q.getColumn(0).getString(), q.getColumn(1).getString(),
                        q.getColumn(2).getString(), q.getColumn(3).getString()};
  });
  return holder;
}

class SqliteDriver final : public Driver {
 public:
  SqliteDriver(const SqliteOptions& options, SQLite::Database db)
      : tables_(options.tables), c_(std::move(db), options.busy_timeout), steps_(c_, tables_) {
    if (options.rehearsal) c_.DenyAttachingFiles();
  }

  Capabilities GetCapabilities() override { return {"sqlite", sqlite3_libversion(), 0}; }

  const Dialect& GetDialect() const override { return SqliteDialect(); }

  void EnsureMetadata() override {
    Guard(ErrorCode::kConnection, "cannot create migrate's tables", [&] {
      bool current = false;
      c_.Query(MetadataCurrent(tables_), [&](SQLite::Statement&) { current = true; });
      if (current) return;
      InTransaction(c_, [&] {
        // A history table of an older migrate lacks a state word in its CHECK: rebuilt.
        if (c_.TableExists(tables_.history) && !HistoryIsCurrent()) {
          for (const std::string& sql : UpgradeHistory(tables_)) c_.db().exec(sql);
        }
        for (const std::string& ddl : MetadataDdl(tables_)) c_.db().exec(ddl);
      });
    });
  }

  bool HistoryIsCurrent() {
    SqlCommand check = HistoryCurrent(tables_);
    check.text = "SELECT " + check.text;
    bool current = false;
    c_.Query(check, [&](SQLite::Statement& q) { current = q.getColumn(0).getInt() != 0; });
    return current;
  }

  std::vector<HistoryRow> ReadHistory() override {
    std::vector<HistoryRow> rows;
    Guard(ErrorCode::kConnection, "cannot read the history table", [&] {
      if (!c_.TableExists(tables_.history)) return;
      std::array<std::string_view, kHistoryColumns.size()> cells;
      c_.Query(SelectHistory(tables_), [&](SQLite::Statement& q) {
        for (std::size_t i = 0; i < cells.size(); ++i) {
          const char* text = q.getColumn(static_cast<int>(i)).getText();
          cells[i] = text;
        }
        rows.push_back(DecodeHistoryRow(cells));
      });
    });
    SortByVersion(rows);
    return rows;
  }

  LockAttempt TryLock(const LockRequest& request) override {
    LockAttempt attempt;
    // Poll quickly: the engine decides how long to keep trying.
    c_.SetBusyTimeout(std::chrono::milliseconds(200));
    try {
      attempt.acquired = c_.Exec(TakeLock(tables_, request)) == 1;
    } catch (const SQLite::Exception& e) {
      if (e.getErrorCode() != SQLITE_BUSY && e.getErrorCode() != SQLITE_LOCKED) {
        c_.RestoreBusyTimeout();
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
    c_.RestoreBusyTimeout();
    return attempt;
  }

  void ReleaseLock(const LockRequest& request) noexcept override {
    try {
      c_.Exec(sqlite::ReleaseLock(tables_, request));
    } catch (...) {
      // The lease expires on its own; a release that fails must not hide the real outcome.
    }
  }

  void Interrupt() noexcept override { sqlite3_interrupt(c_.db().getHandle()); }

  std::optional<LockHolder> ForceUnlock() override {
    std::optional<LockHolder> holder;
    Guard(ErrorCode::kConnection, "cannot free the migration lock", [&] {
      InTransaction(c_, [&] {
        holder = HolderOf(c_, tables_);
        c_.Exec(ClearLock(tables_));
        if (holder) c_.Exec(LogUnlock(tables_, *holder));
      });
    });
    return holder;
  }

  std::optional<LockHolder> ReadLock() override {
    std::optional<LockHolder> holder;
    Guard(ErrorCode::kConnection, "cannot read the lock table", [&] {
      if (c_.TableExists(tables_.lock)) holder = HolderOf(c_, tables_);
    });
    return holder;
  }

  StepSink& Steps() override { return steps_; }

  std::optional<std::vector<TextRow>> ReadForeignTable(
      const QualifiedName& table, const std::vector<std::string>& columns) override {
    std::optional<std::vector<TextRow>> rows;
    Guard(ErrorCode::kConnection, "cannot read " + table.ToString(), [&] {
      if (!c_.TableExists(table)) return;
      // A double-quoted name that is no column is a string to SQLite: check them first.
      std::set<std::string> have;
      c_.Query({"SELECT name FROM pragma_table_info(?1, ?2)",
                {table.table(), table.schema().empty() ? "main" : table.schema()}},
               [&](SQLite::Statement& q) { have.insert(q.getColumn(0).getString()); });
      for (const std::string& column : columns) {
        if (!have.count(column)) {
          throw Error(ErrorCode::kConnection,
                      "cannot read " + table.ToString() + ": it has no column " + column);
        }
      }
      rows.emplace();
      c_.Query({SelectAsText(table, columns), {}}, [&](SQLite::Statement& q) {
        TextRow& out = rows->emplace_back();
        for (int i = 0; i < q.getColumnCount(); ++i) {
          SQLite::Column cell = q.getColumn(i);
          out.push_back(cell.isNull() ? std::nullopt
                                      : std::optional<std::string>(cell.getString()));
        }
      });
    });
    return rows;
  }

  Catalog ReadCatalog() override {
    Catalog catalog;
    Guard(ErrorCode::kConnection, "cannot read the schema",
          [&] { catalog = ReadSqliteCatalog(c_, tables_); });
    return catalog;
  }

  std::optional<SchemaSnapshot> ReadSnapshot() override {
    std::optional<SchemaSnapshot> snapshot;
    Guard(ErrorCode::kConnection, "cannot read the schema snapshot", [&] {
      if (!c_.TableExists(tables_.schema)) return;
      c_.Query(SelectSnapshot(tables_), [&](SQLite::Statement& q) {
        snapshot = SchemaSnapshot{
            q.getColumn(0).getString(), q.getColumn(1).getString(), q.getColumn(2).getInt(),
            q.getColumn(3).getString(), q.getColumn(4).getString(), q.getColumn(5).getString(),
            q.getColumn(6).getString(), q.getColumn(7).getString(), ""};
      });
    });
    return snapshot;
  }

  void WriteSnapshot(const SchemaSnapshot& snapshot, const LockRequest& lease) override {
    Guard(ErrorCode::kMigrationFailed, "cannot store the schema snapshot", [&] {
      InTransaction(c_, [&] {
        steps_.Renew(lease);
        c_.Exec(InsertSnapshot(tables_, snapshot, lease));
        c_.Exec(PruneSnapshots(tables_));
        if (!snapshot.audit.empty()) c_.Exec(LogSnapshot(tables_, snapshot, lease));
      });
    });
  }

  std::string RenderScript(const std::vector<Step>&, const LockRequest&) override {
    throw Error(ErrorCode::kUsage,
                "plan --format sql writes psql scripts for PostgreSQL; on SQLite use 'migrate "
                "run' (try it on a copy of the file first)");
  }

  std::unique_ptr<Rehearsal> BeginRehearsal() override {
    return BeginSqliteRehearsal(c_.db(), tables_);
  }

  void Repair(const RepairRequest& request, const LockRequest& lease) override {
    Guard(ErrorCode::kMigrationFailed, "cannot repair " + request.version, [&] {
      InTransaction(c_, [&] {
        steps_.Renew(lease);
        c_.Exec(sqlite::Repair(tables_, request));
        c_.Exec(LogRepair(tables_, request, lease));
      });
    });
  }

 private:
  TableNames tables_;
  Connection c_;
  SqliteSteps steps_;
};

}  // namespace

std::unique_ptr<Driver> OpenSqlite(const SqliteOptions& options) {
  if (!options.create && options.path != ":memory:" && !std::filesystem::exists(options.path)) {
    throw Error(ErrorCode::kConnection,
                "no SQLite database at " + options.path + " (run 'migrate run' to create it)");
  }
  try {
    int flags = options.read_only
                    ? SQLite::OPEN_READONLY
                    : SQLite::OPEN_READWRITE | (options.create ? SQLite::OPEN_CREATE : 0);
    SQLite::Database db(options.path, flags, static_cast<int>(options.busy_timeout.count()));
    db.exec("PRAGMA foreign_keys = OFF");
    if (options.rehearsal) db.exec("PRAGMA synchronous = OFF");
    return std::make_unique<SqliteDriver>(options, std::move(db));
  } catch (const SQLite::Exception& e) {
    std::string hint;
    std::filesystem::path folder = std::filesystem::absolute(options.path).parent_path();
    if (e.getErrorCode() == SQLITE_CANTOPEN && !std::filesystem::exists(options.path) &&
        ::access(folder.c_str(), W_OK) != 0) {
      hint = ": the folder " + folder.string() +
             " does not exist or is not writable by this user, and the file is created there";
    }
    throw Error(ErrorCode::kConnection,
                "cannot open SQLite database " + options.path + ": " + e.what() + hint);
  }
}

}  // namespace migrate::sqlite
