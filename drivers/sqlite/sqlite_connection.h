// One SQLite connection (SQLiteCpp) as the driver and its step sink share it: bookkeeping
// commands run through a cache of prepared statements, transactions are BEGIN IMMEDIATE (the
// write lock is taken at once, so nothing else can write until COMMIT), and Guard turns
// SQLiteCpp's exceptions into migrate::Error at this boundary.
#ifndef MIGRATE_DRIVERS_SQLITE_SQLITE_CONNECTION_H_
#define MIGRATE_DRIVERS_SQLITE_SQLITE_CONNECTION_H_

#include <SQLiteCpp/SQLiteCpp.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>

#include "migrate/driver.h"
#include "sql_command.h"

namespace migrate::sqlite {

class Connection {
 public:
  Connection(SQLite::Database db, std::chrono::milliseconds busy_timeout);
  // Rolls back a transaction left open.
  ~Connection();

  SQLite::Database& db() { return db_; }

  void Begin() { db_.exec("BEGIN IMMEDIATE"); }
  void Commit() { db_.exec("COMMIT"); }
  void Rollback() noexcept;
  bool TransactionOpen();

  // Runs `command` to completion; returns the number of rows it changed.
  int Exec(const SqlCommand& command);
  // Runs `command`, calling `row` for each result row.
  void Query(const SqlCommand& command, const std::function<void(SQLite::Statement&)>& row);
  // Whether `name` is a table.
  bool TableExists(const QualifiedName& name);

  // How long a statement waits for another connection's lock before SQLITE_BUSY: `wait`, or
  // back to the configured busy timeout.
  void SetBusyTimeout(std::chrono::milliseconds wait);
  void RestoreBusyTimeout() { SetBusyTimeout(busy_timeout_); }

  // A dry run's copy: ATTACH and VACUUM INTO of a file, which would write outside it, are
  // refused ("not authorized"), also while a ForeignKeyWatch holds the authorizer.
  void DenyAttachingFiles();
  bool denies_attaching_files() const { return deny_attaching_files_; }

 private:
  // A prepared statement kept for the life of the connection, reset and unbound: the
  // statements that run for every migration are parsed once, not once per migration.
  SQLite::Statement& Prepared(const SqlCommand& command);

  SQLite::Database db_;
  std::chrono::milliseconds busy_timeout_;
  bool deny_attaching_files_ = false;
  std::unordered_map<std::string, std::unique_ptr<SQLite::Statement>> cache_;  // dies before db_
};

// An authorizer (sqlite3_set_authorizer) that refuses attaching a database file: SQLITE_DENY
// for SQLITE_ATTACH of a name other than "" (VACUUM's own) and ":memory:", else SQLITE_OK.
int RefuseAttachingFiles(void*, int action, const char* file, const char*, const char*,
                         const char*);

// Error(`code`) for `e`: the message starts with `what`; the extended result code is its
// SQLSTATE. SQLITE_BUSY (another connection kept the file locked for all of the busy timeout,
// which a run sets to its lock wait) is Error(kLockTimeout), saying what it waited for.
Error Translate(const SQLite::Exception& e, ErrorCode code, const std::string& what);

// Runs `body`, turning a SQLite::Exception into Translate(e, code, what).
void Guard(ErrorCode code, const std::string& what, const std::function<void()>& body);

}  // namespace migrate::sqlite

#endif  // MIGRATE_DRIVERS_SQLITE_SQLITE_CONNECTION_H_
