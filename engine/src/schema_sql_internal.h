// One change as one dialect's statements (schema_sql_postgres.cc, schema_sql_sqlite.cc), for
// schema_sql.cc.
#ifndef MIGRATE_SCHEMA_SQL_INTERNAL_H_
#define MIGRATE_SCHEMA_SQL_INTERNAL_H_

#include <string>

#include "migrate/schema_change.h"

namespace migrate::sql {

// `value` as an SQL string literal.
std::string Literal(const std::string& value);

// schema.name, each part quoted only when it must be.
std::string Qualified(const std::string& schema, const std::string& name);

// The statements of `c`, each ending in ";\n".
std::string PostgresStatement(const SchemaChange& c, bool concurrently);
std::string SqliteStatement(const SchemaChange& c);

}  // namespace migrate::sql

#endif  // MIGRATE_SCHEMA_SQL_INTERNAL_H_
