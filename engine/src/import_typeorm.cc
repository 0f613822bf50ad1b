// The TypeORM converter (import_internal.h): a class per file whose `up` and `down` methods
// call `queryRunner.query(...)`. A scanner of the few TypeScript tokens that matter — strings,
// template literals, comments and braces — finds each method's body and each call's first
// argument; a plain literal becomes a statement, anything else is reported for conversion
// by hand (a template with ${...}, a concatenation, parameters, queryRunner.createTable…).
#include <regex>

#include "import_internal.h"

namespace migrate {
namespace {

// The index just past the string, template or comment starting at `at`, or `at` when none.
std::size_t SkipLiteral(std::string_view t, std::size_t at) {
  char c = t[at];
  if (c == '/' && at + 1 < t.size() && (t[at + 1] == '/' || t[at + 1] == '*')) {
    bool line = t[at + 1] == '/';
    std::size_t end = t.find(line ? "\n" : "*/", at + 2);
    return end == std::string_view::npos ? t.size() : end + (line ? 1 : 2);
  }
  if (c != '\'' && c != '"' && c != '`') return at;
  for (std::size_t i = at + 1; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == c) {
      return i + 1;
    }
  }
  return t.size();
}

// The body of `async up(...)` or `down(...)`: the text between its braces, or nullopt.
std::optional<std::string_view> MethodBody(std::string_view t, const std::string& method) {
  std::regex head("(async\\s+)?" + method + "\\s*\\([^)]*\\)[^{]*\\{");
  std::cmatch m;
  if (!std::regex_search(t.begin(), t.end(), m, head)) return std::nullopt;
  std::size_t open = static_cast<std::size_t>(m.position(0) + m.length(0));
  int depth = 1;
  for (std::size_t i = open; i < t.size();) {
    std::size_t after = SkipLiteral(t, i);
    if (after != i) {
      i = after;
      continue;
    }
    if (t[i] == '{') ++depth;
    if (t[i] == '}' && --depth == 0) return t.substr(open, i - open);
    ++i;
  }
  return std::nullopt;
}

// The value of a JavaScript string literal (quotes included in `lit`), or nullopt when it is
// a template with ${...}.
std::optional<std::string> Unquote(std::string_view lit) {
  std::string out;
  for (std::size_t i = 1; i + 1 < lit.size(); ++i) {
    char c = lit[i];
    if (lit[0] == '`' && c == '$' && i + 2 < lit.size() && lit[i + 1] == '{') return std::nullopt;
    if (c != '\\') {
      out += c;
      continue;
    }
    char e = lit[++i];
    out += e == 'n' ? '\n' : e == 't' ? '\t' : e == 'r' ? '\r' : e;
  }
  return out;
}

// The statements of a method body, or a reason it cannot be converted.
std::string Statements(std::string_view body, std::string& why) {
  std::string sql;
  static const std::regex kCall(R"(queryRunner\s*\.\s*(\w+)\s*\()");
  std::string text(body);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), kCall);
       it != std::sregex_iterator(); ++it) {
    if ((*it)[1] != "query") {
      why = "calls queryRunner." + (*it)[1].str() + "(): write its SQL by hand";
      return "";
    }
    std::size_t at = static_cast<std::size_t>(it->position(0) + it->length(0));
    at = text.find_first_not_of(" \t\r\n", at);
    std::size_t end = at == std::string::npos ? at : SkipLiteral(text, at);
    std::size_t next = end == std::string::npos ? end : text.find_first_not_of(" \t\r\n", end);
    std::optional<std::string> value;
    if (end != at && next != std::string::npos && text[next] == ')') {
      value = Unquote(std::string_view(text).substr(at, end - at));
    }
    if (!value) {
      why =
          "a queryRunner.query() whose SQL is not one plain string (a ${...} template, a "
          "concatenation or parameters): write it by hand";
      return "";
    }
    std::string statement = *value;
    while (!statement.empty() && (statement.back() == ' ' || statement.back() == '\n')) {
      statement.pop_back();
    }
    sql += statement + (statement.empty() || statement.back() == ';' ? "\n" : ";\n");
  }
  return sql;
}

}  // namespace

void ConvertTypeorm(Importer& im, const std::string& name, const std::string& text) {
  static const std::regex kName(R"(^(\d{1,20})-(.+)\.(ts|js)$)");
  std::smatch m;
  if (!std::regex_match(name, m, kName)) return im.LeftOut(name, "not <timestamp>-<Name>.ts");
  // AddUsers1700000000000 → add_users
  std::string title = std::regex_replace(m[2].str(), std::regex("[0-9]+$"), "");
  title = std::regex_replace(title, std::regex("([a-z0-9])([A-Z])"), "$1_$2");
  std::string sql[2];
  const char* methods[2] = {"up", "down"};
  for (int i = 0; i < 2; ++i) {
    std::optional<std::string_view> body = MethodBody(text, methods[i]);
    if (!body) return im.Error(name, std::string("no ") + methods[i] + "() method");
    std::string why;
    sql[i] = Statements(*body, why);
    if (!why.empty()) return im.LeftOut(name, std::string(methods[i]) + "(): " + why);
  }
  im.Add(m[1], title, Direction::kUp, sql[0]);
  im.Add(m[1], title, Direction::kDown, sql[1]);
}

}  // namespace migrate
