// The PostgreSQL dialect: statements split by libpg_query's parser (the real PostgreSQL 15
// grammar), so `$$` bodies, dollar tags, comments and strings are handled as the server
// would, and a syntax error is reported at its exact position without a server.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_DIALECT_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_DIALECT_H_

#include "migrate/dialect.h"

namespace migrate::postgres {

// The process-wide PostgreSQL dialect.
const Dialect& PostgresDialect();

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_DIALECT_H_
