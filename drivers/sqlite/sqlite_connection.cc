#include "sqlite/sqlite_connection.h"

#include <sqlite3.h>

namespace migrate::sqlite {

Connection::Connection(SQLite::Database db, std::chrono::milliseconds busy_timeout)
    : db_(std::move(db)), busy_timeout_(busy_timeout) {}

Connection::~Connection() { Rollback(); }

void Connection::DenyAttachingFiles() {
  deny_attaching_files_ = true;
  sqlite3_set_authorizer(db_.getHandle(), RefuseAttachingFiles, nullptr);
}

int RefuseAttachingFiles(void*, int action, const char* file, const char*, const char*,
                         const char*) {
  if (action != SQLITE_ATTACH || !file) return SQLITE_OK;
  std::string_view name(file);
  return name.empty() || name == ":memory:" ? SQLITE_OK : SQLITE_DENY;
}

void Connection::Rollback() noexcept {
  if (!sqlite3_get_autocommit(db_.getHandle())) db_.tryExec("ROLLBACK");
}

bool Connection::TransactionOpen() { return !sqlite3_get_autocommit(db_.getHandle()); }

SQLite::Statement& Connection::Prepared(const SqlCommand& command) {
  std::unique_ptr<SQLite::Statement>& q = cache_[command.text];
  if (!q) q = std::make_unique<SQLite::Statement>(db_, command.text);
  q->tryReset();  // the result of its last run (an error, SQLITE_BUSY) is not ours to report
  q->clearBindings();
  for (std::size_t i = 0; i < command.params.size(); ++i) {
    int index = static_cast<int>(i + 1);
    if (command.params[i]) {
      q->bind(index, *command.params[i]);
    } else {
      q->bind(index);
    }
  }
  return *q;
}

int Connection::Exec(const SqlCommand& command) {
  Query(command, [](SQLite::Statement&) {});
  return db_.getChanges();
}

void Connection::Query(const SqlCommand& command,
                       const std::function<void(SQLite::Statement&)>& row) {
  SQLite::Statement& q = Prepared(command);
  // Reset however it ends: an unfinished statement would keep DROP TABLE from running
  // ("table is locked").
  try {
    while (q.executeStep()) row(q);
  } catch (...) {
    q.tryReset();
    throw;
  }
  q.tryReset();
}

bool Connection::TableExists(const QualifiedName& name) {
  std::string schema = name.schema().empty() ? "main" : name.schema();
  SqlCommand q{"SELECT 1 FROM \"" + schema + "\".sqlite_master WHERE type = 'table' AND name = ?1",
               {name.table()}};
  bool found = false;
  Query(q, [&](SQLite::Statement&) { found = true; });
  return found;
}

void Connection::SetBusyTimeout(std::chrono::milliseconds wait) {
  sqlite3_busy_timeout(db_.getHandle(), static_cast<int>(wait.count()));
}

Error Translate(const SQLite::Exception& e, ErrorCode code, const std::string& what) {
  std::string result_code = "SQLITE_" + std::to_string(e.getExtendedErrorCode());
  if (e.getErrorCode() == SQLITE_BUSY) {
    return Error(ErrorCode::kLockTimeout,
                 what + ": " + e.what() +
                     ": another connection held the database file's lock for all of the lock "
                     "wait (--lock-wait or lock_wait): a runner in the middle of a long "
                     "migration, or another program in a transaction (such as sqlite3 after "
                     "BEGIN EXCLUSIVE). Nothing more was run; try again once it is done, or "
                     "wait longer with --lock-wait",
                 {}, result_code);
  }
  if (e.getErrorCode() == SQLITE_READONLY) {
    const char* where = e.getExtendedErrorCode() == SQLITE_READONLY_DIRECTORY
                            ? "its folder is not writable by this user, and SQLite creates its "
                              "journal there"
                            : "the database file, or its folder (where SQLite creates its "
                              "-journal or -wal file), is not writable by this user";
    return Error(code,
                 what + ": " + e.what() + ": " + where +
                     ": give it write access to both ('migrate status' and 'run --dry-run' "
                     "only read)",
                 {}, result_code);
  }
  return Error(code, what + ": " + e.what(), {}, result_code);
}

void Guard(ErrorCode code, const std::string& what, const std::function<void()>& body) {
  try {
    body();
  } catch (const SQLite::Exception& e) {
    throw Translate(e, code, what);
  }
}

}  // namespace migrate::sqlite
