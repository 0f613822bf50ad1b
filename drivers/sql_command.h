// One statement of migrate's own bookkeeping SQL with its parameters as text (nullopt is
// NULL). Each driver's records file builds these as pure functions of the table names and the
// values (drivers/<db>/<db>_records.cc), so that the same SQL is executed by the driver,
// tested without a database, and written into the psql script of `plan --format sql`.
#ifndef MIGRATE_DRIVERS_SQL_COMMAND_H_
#define MIGRATE_DRIVERS_SQL_COMMAND_H_

#include <optional>
#include <string>
#include <vector>

#include "migrate/records.h"

namespace migrate {

struct SqlCommand {
  std::string text;  // placeholders: $1, $2 ... (PostgreSQL) or ?1, ?2 ... (SQLite)
  std::vector<std::optional<std::string>> params;
};

// SQL that SQLite and PostgreSQL speak alike, for both records files.
// The lock row's columns, in the order both insert them: (1, holder, run_id, times...).
inline constexpr const char* kLockColumns = " (id, holder, run_id, acquired_at, expires_at)";
// Lets an INSERT of the lock row replace the row that is there with the one proposed.
inline constexpr const char* kLockTakeOver =
    " ON CONFLICT (id) DO UPDATE SET holder = excluded.holder, run_id = excluded.run_id,"
    " acquired_at = excluded.acquired_at, expires_at = excluded.expires_at";

// Reads `columns` of every row of `table` as text: CAST(… AS text) says it alike in both.
inline std::string SelectAsText(const QualifiedName& table,
                                const std::vector<std::string>& columns) {
  std::string sql = "SELECT ";
  for (std::size_t i = 0; i < columns.size(); ++i) {
    sql += (i ? ", CAST(\"" : "CAST(\"") + columns[i] + "\" AS text)";
  }
  return sql + " FROM " + table.Quoted();
}

// A value or NULL when empty, for optional columns such as down_checksum.
inline std::optional<std::string> NullIfEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace migrate

#endif  // MIGRATE_DRIVERS_SQL_COMMAND_H_
