// Translates libpqxx exceptions into migrate::Error at the driver boundary.
#ifndef MIGRATE_DRIVERS_POSTGRES_POSTGRES_ERRORS_H_
#define MIGRATE_DRIVERS_POSTGRES_POSTGRES_ERRORS_H_

#include <optional>
#include <pqxx/pqxx>
#include <string>

#include "migrate/driver.h"

namespace migrate::postgres {

// The server's message without libpq's "LINE n:" and caret lines (they count lines within
// one statement, not the file), one line per ERROR/DETAIL/HINT/CONTEXT, and without any
// registered secret (redact.h).
std::string CleanServerMessage(const std::string& what);

// An error for a failed connection attempt to `shown_url` (already redacted).
Error ConnectionError(const pqxx::broken_connection& e, const std::string& shown_url);

// The SQLSTATE of `e`: libpqxx 6.4 throws some of its typed exceptions (insufficient_privilege
// among them) without the code, which is then recovered from the type; "" when unknown.
std::string SqlStateOf(const pqxx::sql_error& e);

// An error for statement `index` of `step` that failed with `e`, located at the server's
// error position when it gave one: "file:line:column: statement k of n failed (SQLSTATE …)".
Error StatementError(const pqxx::sql_error& e, const Step& step, std::size_t index);

// What the server said of a failed statement: libpq's text of the error, its SQLSTATE, and
// the error's byte offset in the statement when the server gave a position.
struct ServerError {
  std::string message;
  std::string sqlstate;
  std::optional<std::size_t> offset;
};
Error StatementError(const ServerError& e, const Step& step, std::size_t index);

}  // namespace migrate::postgres

#endif  // MIGRATE_DRIVERS_POSTGRES_POSTGRES_ERRORS_H_
