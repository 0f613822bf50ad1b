// Reads a SQLite database's schema as a Catalog (catalog.h) from sqlite_schema and the
// table-valued pragmas (table_list, table_xinfo, index_list, index_xinfo, foreign_key_list),
// one statement per kind of object. What SQLite keeps only in CREATE text (view and trigger
// bodies, index expressions and predicates) is taken from it with whitespace collapsed; CHECK
// constraints and generation expressions are not read. Unnamed constraints (UNIQUE, FOREIGN
// KEY) are named by what they say, since SQLite names them by creation order.
#ifndef MIGRATE_DRIVERS_SQLITE_SQLITE_CATALOG_H_
#define MIGRATE_DRIVERS_SQLITE_SQLITE_CATALOG_H_

#include "migrate/catalog.h"
#include "migrate/records.h"
#include "sqlite/sqlite_connection.h"

namespace migrate::sqlite {

// The user schema of `c`; the tables in `own` (migrate's) are left out. Never writes.
Catalog ReadSqliteCatalog(Connection& c, const TableNames& own);

}  // namespace migrate::sqlite

#endif  // MIGRATE_DRIVERS_SQLITE_SQLITE_CATALOG_H_
