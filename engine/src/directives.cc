#include "migrate/directives.h"

#include <cctype>

#include "migrate/duration.h"
#include "migrate/sql_text.h"

namespace migrate {
namespace {

constexpr std::string_view kPrefix = "-- migrate:";

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

void Add(Diagnostics& diagnostics, const std::string& file, int line, std::string message) {
  diagnostics.push_back(
      {Severity::kError, "bad-directive", SourceLocation{file, line, 1}, std::move(message)});
}

}  // namespace

Directives ParseDirectives(std::string_view sql, const std::string& file,
                           Diagnostics& diagnostics) {
  Directives out;
  // Directives are only read before the first statement; a directive-looking comment after
  // it is an error rather than a silently ignored option.
  std::size_t first_statement = SkipSqlTrivia(sql);
  int line_no = 0;
  std::size_t pos = 0;
  while (pos < sql.size()) {
    std::size_t nl = sql.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? sql.size() : nl;
    std::string_view line = Trim(sql.substr(pos, end - pos));
    std::size_t line_start = pos;
    pos = end + 1;
    ++line_no;
    if (line.substr(0, kPrefix.size()) != kPrefix) continue;
    if (line_start > first_statement) {
      Add(diagnostics, file, line_no,
          "directive '" + std::string(line) +
              "' comes after the first statement; move it to the top of the file");
      continue;
    }
    std::string_view body = Trim(line.substr(kPrefix.size()));
    std::size_t space = body.find_first_of(" \t");
    std::string_view name = body.substr(0, space);
    std::string_view arg = space == std::string_view::npos ? "" : Trim(body.substr(space));
    if (name == "no-transaction" && arg.empty()) {
      out.no_transaction = true;
    } else if (name == "irreversible" && arg.empty()) {
      out.irreversible = true;
    } else if (name == "lock-timeout" || name == "statement-timeout") {
      auto d = ParseDuration(arg);
      if (!d) {
        Add(diagnostics, file, line_no,
            "'" + std::string(name) + "' needs a duration such as 500ms, 5s, 10min or 1h; got '" +
                std::string(arg) + "'");
      } else {
        (name == "lock-timeout" ? out.lock_timeout : out.statement_timeout) = d;
      }
    } else if (name == "allow" && !arg.empty()) {
      out.allow.emplace_back(arg);
    } else if (name == "up" || name == "down") {
      Add(diagnostics, file, line_no,
          "'-- migrate:" + std::string(name) +
              "' sections (dbmate style) are not used here: put the up and the down in "
              "separate <version>_<slug>.up.sql and .down.sql files");
    } else {
      Add(diagnostics, file, line_no,
          "unknown directive '" + std::string(line) +
              "'; known: no-transaction, irreversible, lock-timeout <d>, statement-timeout <d>, "
              "allow <rule>");
    }
  }
  return out;
}

}  // namespace migrate
