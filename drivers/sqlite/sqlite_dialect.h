// The SQLite dialect: statements split where SQLite itself says a statement is complete
// (sqlite3_complete), so quotes, backticks, brackets, comments and CREATE TRIGGER ... END
// bodies are handled exactly as the library will parse them.
#ifndef MIGRATE_DRIVERS_SQLITE_SQLITE_DIALECT_H_
#define MIGRATE_DRIVERS_SQLITE_SQLITE_DIALECT_H_

#include "migrate/dialect.h"

namespace migrate::sqlite {

// The process-wide SQLite dialect.
const Dialect& SqliteDialect();

}  // namespace migrate::sqlite

#endif  // MIGRATE_DRIVERS_SQLITE_SQLITE_DIALECT_H_
