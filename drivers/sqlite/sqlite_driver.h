// The SQLite driver (SQLiteCpp): one connection to one database file. Each transactional
// migration runs in BEGIN IMMEDIATE ... COMMIT together with its history and log rows and a
// renewal of the lock lease (sqlite_steps.h), so a crash leaves either all of it or none.
// Migrations run with `foreign_keys` off (SQLite's table-rebuild procedure needs it) and
// PRAGMA foreign_key_check runs before each commit: a violation fails that migration. The
// lock is the lock table's row and its lease alone: SQLite has no session-level lock.
#ifndef MIGRATE_DRIVERS_SQLITE_SQLITE_DRIVER_H_
#define MIGRATE_DRIVERS_SQLITE_SQLITE_DRIVER_H_

#include <chrono>
#include <memory>
#include <string>

#include "migrate/driver.h"

namespace migrate::sqlite {

struct SqliteOptions {
  std::string path;  // a file name, or ":memory:"
  TableNames tables;
  bool create = true;  // create the file when missing
  std::chrono::milliseconds busy_timeout{std::chrono::seconds(5)};
  bool read_only = false;  // opened read-only (a dry run's source: no journal or WAL replayed)
  // A dry run's copy, deleted afterwards: commits skip fsync (synchronous = OFF), and
  // attaching another database file (ATTACH, VACUUM INTO) is refused: "not authorized".
  bool rehearsal = false;
};

// Opens the database. Throws Error(kConnection) when the file cannot be opened.
std::unique_ptr<Driver> OpenSqlite(const SqliteOptions& options);

// The SQLite dialect (sqlite_dialect.cc): statements split where SQLite itself says a
// statement is complete (sqlite3_complete), so quotes, backticks, brackets, comments and
// CREATE TRIGGER ... END bodies are handled exactly as the library will parse them.
// Process-wide; needs no connection.
const Dialect& SqliteDialect();

}  // namespace migrate::sqlite

#endif  // MIGRATE_DRIVERS_SQLITE_SQLITE_DRIVER_H_
