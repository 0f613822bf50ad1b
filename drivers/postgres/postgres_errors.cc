#include "postgres/postgres_errors.h"

#include <cstdlib>
#include <optional>
#include <sstream>

#include "migrate/redact.h"
#include "migrate/source_text.h"
#include "migrate/sql_text.h"

namespace migrate::postgres {

std::string CleanServerMessage(const std::string& what) {
  std::istringstream in(Redact(what));
  std::string line, out;
  while (std::getline(in, line)) {
    std::size_t first = line.find_first_not_of(" \t");
    if (first == std::string::npos) continue;
    if (line.rfind("LINE ", 0) == 0 || line[first] == '^') continue;
    if (!out.empty()) out += "\n  ";
    out += line.substr(first);
  }
  return out;
}

namespace {

// libpq shows an error position as "LINE n: <text of that line>" and a caret line under it,
// trimming long lines with "...". pqxx exposes the position only for syntax_error itself, so
// read it back from that display: find the shown text in line n of the statement, then add
// the caret's column. Returns the byte offset in `statement`, or nullopt.
std::optional<std::size_t> PositionFromMessage(const std::string& what,
                                               std::string_view statement) {
  std::istringstream in(what);
  std::string line, caret;
  while (std::getline(in, line)) {
    if (line.rfind("LINE ", 0) == 0 && std::getline(in, caret)) break;
    line.clear();
  }
  std::size_t colon = line.find(": ");
  std::size_t mark = caret.find('^');
  if (line.empty() || colon == std::string::npos || mark == std::string::npos) return std::nullopt;
  int n = std::atoi(line.c_str() + 5);
  std::string shown = line.substr(colon + 2);
  std::size_t caret_col = mark >= colon + 2 ? mark - (colon + 2) : 0;
  bool trimmed_front = shown.rfind("...", 0) == 0;
  if (trimmed_front) shown.erase(0, 3);
  if (shown.size() >= 3 && shown.compare(shown.size() - 3, 3, "...") == 0)
    shown.resize(shown.size() - 3);
  std::size_t line_start = 0;
  for (int i = 1; i < n; ++i) {
    line_start = statement.find('\n', line_start);
    if (line_start == std::string_view::npos) return std::nullopt;
    ++line_start;
  }
  std::size_t line_end = statement.find('\n', line_start);
  std::string_view text =
      statement.substr(line_start, line_end == std::string_view::npos ? std::string_view::npos
                                                                      : line_end - line_start);
  std::size_t at = text.find(shown);
  if (at == std::string_view::npos) return line_start;
  std::size_t col = caret_col >= (trimmed_front ? 3 : 0) ? caret_col - (trimmed_front ? 3 : 0) : 0;
  return line_start + at + std::min(col, text.size() - at);
}

template <typename T>
bool Is(const pqxx::sql_error& e) {
  return dynamic_cast<const T*>(&e) != nullptr;
}

}  // namespace

Error ConnectionError(const pqxx::broken_connection& e, const std::string& shown_url) {
  std::string message = CleanServerMessage(e.what());
  bool auth = message.find("authentication failed") != std::string::npos ||
              message.find("no password supplied") != std::string::npos ||
              message.find("password") != std::string::npos ||
              message.find("pg_hba.conf") != std::string::npos;
  if (auth) {
    return Error(ErrorCode::kConnection,
                 "PostgreSQL at " + shown_url +
                     " refused the login: check the user and password (in the URL, PGPASSWORD "
                     "or ~/.pgpass). Server said: " +
                     message);
  }
  // The server answered: no connection to spare (max_connections, a role's or database's
  // CONNECTION LIMIT) is not a server that is down either.
  if (message.find("too many connections") != std::string::npos ||
      message.find("remaining connection slots") != std::string::npos) {
    return Error(
        ErrorCode::kConnection,
        "PostgreSQL at " + shown_url + " answered, but has no connection to spare: " + message);
  }
  // The server answered: a setting of the URL's `options` (or migrate's own) it does not have.
  if (message.find("unrecognized configuration parameter") != std::string::npos) {
    return Error(ErrorCode::kConnection,
                 "PostgreSQL at " + shown_url +
                     " answered, but refused a setting at connection start-up: migrate sets "
                     "client_connection_check_interval (PostgreSQL 14 or newer), and the URL's "
                     "options may set others. Server said: " +
                     message);
  }
  // The server answered: a missing role or database is not a server that is down.
  if (message.find("does not exist") != std::string::npos &&
      (message.find("role \"") != std::string::npos ||
       message.find("database \"") != std::string::npos)) {
    return Error(ErrorCode::kConnection,
                 "PostgreSQL at " + shown_url +
                     " answered, but refused the connection: check the user and database name "
                     "in the URL (a database must be created before migrate runs on it). Server "
                     "said: " +
                     message);
  }
  return Error(ErrorCode::kConnection, "cannot reach PostgreSQL at " + shown_url +
                                           ": is the server running and the host/port right? " +
                                           message);
}

std::string SqlStateOf(const pqxx::sql_error& e) {
  if (!e.sqlstate().empty()) return e.sqlstate();
  if (Is<pqxx::insufficient_privilege>(e)) return "42501";
  if (Is<pqxx::undefined_column>(e)) return "42703";
  if (Is<pqxx::undefined_function>(e)) return "42883";
  if (Is<pqxx::undefined_table>(e)) return "42P01";
  if (Is<pqxx::deadlock_detected>(e)) return "40P01";
  if (Is<pqxx::serialization_failure>(e)) return "40001";
  if (Is<pqxx::disk_full>(e)) return "53100";
  if (Is<pqxx::out_of_memory>(e)) return "53200";
  if (Is<pqxx::feature_not_supported>(e)) return "0A000";
  if (Is<pqxx::invalid_cursor_name>(e)) return "34000";
  if (Is<pqxx::invalid_sql_statement_name>(e)) return "26000";
  if (Is<pqxx::plpgsql_raise>(e)) return "P0001";
  if (Is<pqxx::plpgsql_no_data_found>(e)) return "P0002";
  if (Is<pqxx::plpgsql_too_many_rows>(e)) return "P0003";
  return "";
}

Error StatementError(const pqxx::sql_error& e, const Step& step, std::size_t index) {
  ServerError server{e.what(), SqlStateOf(e), std::nullopt};
  if (index < step.statements.size()) {
    std::string_view text(step.sql.data() + step.statements[index].offset,
                          step.statements[index].length);
    const auto* syntax = dynamic_cast<const pqxx::syntax_error*>(&e);
    if (syntax && syntax->error_position > 0) {
      server.offset = CharToByteOffset(text, static_cast<std::size_t>(syntax->error_position - 1));
    } else {
      server.offset = PositionFromMessage(e.what(), text);
    }
  }
  return StatementError(server, step, index);
}

Error StatementError(const ServerError& e, const Step& step, std::size_t index) {
  SourceLocation where = step.Location(index, e.offset.value_or(0));
  std::string statement;
  if (index < step.statements.size()) {
    statement = Excerpt(std::string_view(step.sql).substr(step.statements[index].offset,
                                                          step.statements[index].length));
  }
  const std::string& state = e.sqlstate;
  return Error(ErrorCode::kMigrationFailed,
               where.ToString() + ": statement " + std::to_string(index + 1) + " of " +
                   std::to_string(step.statements.size()) + " failed" +
                   (state.empty() ? "" : " (SQLSTATE " + state + ")") + ": " +
                   CleanServerMessage(e.message) + "\n  " + statement,
               where, state);
}

}  // namespace migrate::postgres
