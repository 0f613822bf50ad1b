// One change as one dialect's statements (schema_sql_postgres.cc, schema_sql_sqlite.cc), for
// schema_sql.cc.
#ifndef MIGRATE_SCHEMA_SQL_INTERNAL_H_
#define MIGRATE_SCHEMA_SQL_INTERNAL_H_

#include <string>

#include "migrate/dialect.h"
#include "migrate/schema_change.h"

namespace migrate::sql {

// How names are written: as they are when they are plain lower-case identifiers the dialect
// does not reserve, else in double quotes.
class Names {
 public:
  explicit Names(const Dialect& dialect) : dialect_(dialect) {}
  // A name as the database stores it.
  std::string Id(const std::string& name) const;
  // A name as the catalog writes it (NamePart, parts joined by '.'), part by part.
  std::string Path(const std::string& catalog_name) const;
  // schema.name, or name without a schema.
  std::string Qualified(const std::string& schema, const std::string& name) const;
  // The table (or other object) a change is of.
  std::string Table(const SchemaChange& c) const { return Qualified(c.schema, c.owner); }

 private:
  const Dialect& dialect_;
};

// Whether `c` adds a UNIQUE constraint to an existing PostgreSQL table whose index can be
// built CONCURRENTLY first.
bool ConcurrentKey(const SchemaChange& c);

// `s` in upper case (ASCII).
std::string Upper(std::string s);

// The statements of `c`, each ending in ";\n".
std::string PostgresStatement(const Names& n, const SchemaChange& c, bool concurrently);
std::string SqliteStatement(const Names& n, const SchemaChange& c);
// A table's or its parts' (schema_sql_postgres_tables.cc).
std::string PostgresTableStatement(const Names& n, const SchemaChange& c, bool concurrently);

}  // namespace migrate::sql

#endif  // MIGRATE_SCHEMA_SQL_INTERNAL_H_
