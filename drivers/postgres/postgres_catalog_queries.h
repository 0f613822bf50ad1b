// The catalog queries of PostgreSQL, as pure functions: one query per kind of object over
// pg_catalog, never one per table (docs/design.md §11). `own` is an SQL array of the OIDs of
// migrate's own tables ('{}' when none), which every query leaves out with their parts.
// Names come back unquoted; lists of names are joined by chr(31).
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_CATALOG_QUERIES_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_CATALOG_QUERIES_H_

#include <cstddef>
#include <string>

namespace migrate::postgres::catalog_sql {

// The OIDs of the tables named by $1..$count (quoted names, resolved on the session's
// search_path), comma-separated; missing tables left out.
std::string OwnTables(std::size_t count);

// `own_schemas`: an SQL array of the schemas migrate's tables were configured in.
std::string Schemas(const std::string& own_schemas);
std::string Extensions();
// Tables, views, materialized views and sequences (not those of identity columns).
std::string RelationRows(const std::string& own);
std::string Columns(const std::string& own);
std::string Constraints(const std::string& own);
std::string Indexes(const std::string& own);
std::string Triggers(const std::string& own);
std::string Policies(const std::string& own);
std::string Functions();
std::string Types();

}  // namespace migrate::postgres::catalog_sql

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_CATALOG_QUERIES_H_
