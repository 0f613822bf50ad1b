// Reads a PostgreSQL database's schema as a Catalog (catalog.h): one REPEATABLE READ, READ
// ONLY transaction with an empty search_path (so every name comes back schema-qualified,
// whatever the session's), and the queries of postgres_catalog_queries.h sent together in one
// round trip. System schemas, extension members and migrate's own tables are left out.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_CATALOG_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_CATALOG_H_

#include <pqxx/pqxx>

#include "migrate/catalog.h"
#include "migrate/records.h"

namespace migrate::postgres {

// The user schema; the tables of `own` (migrate's) are left out, and the schemas that
// `configured` (the same tables as the configuration names them) names. Never writes. Throws
// libpqxx's exceptions (the driver translates them).
// REQUIRES: no transaction is open on `conn`.
Catalog ReadPostgresCatalog(pqxx::connection_base& conn, const TableNames& own,
                            const TableNames& configured);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_CATALOG_H_
