// One statement of migrate's own bookkeeping SQL with its parameters as text (nullopt is
// NULL). Each driver's records file builds these as pure functions of the table names and the
// values (drivers/<db>/<db>_records.cc), so that the same SQL is executed by the driver,
// tested without a database, and written into the psql script of `plan --format sql`.
#ifndef MIGRATE_DRIVERS_SQL_COMMAND_H_
#define MIGRATE_DRIVERS_SQL_COMMAND_H_

#include <optional>
#include <string>
#include <vector>

namespace migrate {

struct SqlCommand {
  std::string text;  // placeholders: $1, $2 ... (PostgreSQL) or ?1, ?2 ... (SQLite)
  std::vector<std::optional<std::string>> params;
};

// A value or NULL when empty, for optional columns such as down_checksum.
inline std::optional<std::string> NullIfEmpty(const std::string& s) {
  return s.empty() ? std::nullopt : std::optional<std::string>(s);
}

}  // namespace migrate

#endif  // MIGRATE_DRIVERS_SQL_COMMAND_H_
