#include "postgres/postgres_errors.h"

#include <sstream>

#include "migrate/redact.h"
#include "migrate/text.h"

namespace migrate::postgres {

std::string CleanServerMessage(const std::string& what) {
  std::istringstream in(what);
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

Error ConnectionError(const pqxx::broken_connection& e, const std::string& shown_url) {
  std::string message = CleanServerMessage(Redact(e.what()));
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
  return Error(ErrorCode::kConnection, "cannot reach PostgreSQL at " + shown_url +
                                           ": is the server running and the host/port right? " +
                                           message);
}

Error StatementError(const pqxx::sql_error& e, const Step& step, std::size_t index) {
  std::size_t offset = 0;
  if (const auto* syntax = dynamic_cast<const pqxx::syntax_error*>(&e);
      syntax && syntax->error_position > 0 && index < step.statements.size()) {
    std::string_view text(step.sql.data() + step.statements[index].offset,
                          step.statements[index].length);
    offset = CharToByteOffset(text, static_cast<std::size_t>(syntax->error_position - 1));
  }
  SourceLocation where = step.Location(index, offset);
  std::string statement;
  if (index < step.statements.size()) {
    statement = Excerpt(std::string_view(step.sql).substr(step.statements[index].offset,
                                                          step.statements[index].length));
  }
  return Error(ErrorCode::kMigrationFailed,
               where.ToString() + ": statement " + std::to_string(index + 1) + " of " +
                   std::to_string(step.statements.size()) + " failed (SQLSTATE " + e.sqlstate() +
                   "): " + CleanServerMessage(Redact(e.what())) + "\n  " + statement,
               where, e.sqlstate());
}

}  // namespace migrate::postgres
