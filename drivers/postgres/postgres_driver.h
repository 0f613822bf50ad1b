// The PostgreSQL driver (libpqxx 6.4): one session to one database. Each transactional
// migration runs in one transaction with its history and log rows and a renewal of the lock
// lease; SET LOCAL applies its lock_timeout and statement_timeout. A non-transactional one
// runs statement by statement, recording `started` and its progress. The lock is the lock
// table's row plus a session advisory lock, taken only with pg_try_advisory_lock (never a
// blocking call, which would deadlock CREATE INDEX CONCURRENTLY in another session), so a
// holder whose session died frees the lock at once.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_DRIVER_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_DRIVER_H_

#include <memory>
#include <string>

#include "migrate/driver.h"

namespace migrate::postgres {

struct PostgresOptions {
  std::string url;  // postgres:// or postgresql:// (libpq also reads PG* variables, ~/.pgpass)
  TableNames tables;
};

// Connects. Throws Error(kConnection) with distinct messages for an unreachable server and
// for failed authentication; never with the password in it.
std::unique_ptr<Driver> OpenPostgres(const PostgresOptions& options);

// A database of its own on the server of `server_url`, created now and dropped (WITH FORCE)
// when the driver is destroyed, also after a failure: a scratch database for `baseline
// --check`. Throws Error(kConnection) when it cannot be created (the role needs CREATEDB).
std::unique_ptr<Driver> OpenTemporaryPostgres(const std::string& server_url,
                                              const TableNames& tables);

// `url` with its database name replaced by `database`.
std::string UrlWithDatabase(const std::string& url, const std::string& database);

// The PostgreSQL dialect (postgres_dialect.cc): statements split by libpg_query's parser (the
// real PostgreSQL 15 grammar), so `$$` bodies, dollar tags, comments and strings are handled
// as the server would, and a syntax error is reported at its exact position without a
// server. For files written for a newer server (postgres_version above 15), SplitNewer falls
// back to libpg_query's scanner for what the grammar rejects. Process-wide; needs no
// connection.
const Dialect& PostgresDialect();

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_DRIVER_H_
