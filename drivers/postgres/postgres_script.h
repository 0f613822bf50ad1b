// The SQL that migrate keeps in a PostgreSQL database: its tables' DDL, and the script that
// `migrate plan --format sql` prints so that a DBA can apply exactly what `migrate run`
// would, by hand, with `psql -v ON_ERROR_STOP=1 -f`.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_SCRIPT_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_SCRIPT_H_

#include <functional>
#include <string>
#include <vector>

#include "migrate/driver.h"

namespace migrate::postgres {

// Quoted names of migrate's tables, and the schemas they need.
struct MetadataNames {
  std::string history;
  std::string lock;
  std::string log;
  std::vector<std::string> schemas;  // quoted
};

// CREATE SCHEMA / CREATE TABLE IF NOT EXISTS statements for migrate's tables.
std::vector<std::string> MetadataDdl(const MetadataNames& names);

// A psql script that takes the lock row (failing if another runner holds it), applies every
// step as Driver::Apply would (one transaction each with SET LOCAL timeouts, history and log
// rows; or the started/applied protocol for non-transactional steps) and frees the lock.
// `quote` renders a string literal.
std::string RenderScript(const MetadataNames& names, const std::vector<Step>& steps,
                         const LockRequest& actor,
                         const std::function<std::string(const std::string&)>& quote);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_SCRIPT_H_
