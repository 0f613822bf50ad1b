// The SQLite Rehearsal (driver.h): the database copied with SQLite's online backup API into a
// temporary file, where each step is applied exactly as on the original — non-transactional
// steps too, with history rows and lock — and the copy deleted at the end. The original file
// is only read (a consistent snapshot, even while others write to it).
#ifndef MIGRATE_DRIVERS_SQLITE_SQLITE_REHEARSAL_H_
#define MIGRATE_DRIVERS_SQLITE_SQLITE_REHEARSAL_H_

#include <SQLiteCpp/SQLiteCpp.h>

#include <memory>

#include "migrate/driver.h"

namespace migrate::sqlite {

// Copies `source` into a file in the temporary directory. Throws Error(kConnection) when it
// cannot (no room, an unreadable database).
std::unique_ptr<Rehearsal> BeginSqliteRehearsal(SQLite::Database& source, const TableNames& tables);

}  // namespace migrate::sqlite

#endif  // MIGRATE_DRIVERS_SQLITE_SQLITE_REHEARSAL_H_
