#include "migrate/sql_text.h"

#include <algorithm>
#include <cctype>

#include "migrate/sha256.h"

namespace migrate {

namespace {

// The offset just past the `/* */` comment that starts at `pos`, the end of `sql` when it is
// not closed; with `nested`, `/*` inside it opens a comment `*/` must close first.
std::size_t EndOfBlockComment(std::string_view sql, std::size_t pos, bool nested) {
  int depth = 1;
  for (std::size_t i = pos + 2; i < sql.size();) {
    if (nested && sql.substr(i, 2) == "/*") {
      ++depth;
      i += 2;
    } else if (sql.substr(i, 2) == "*/") {
      i += 2;
      if (--depth == 0) return i;
    } else {
      ++i;
    }
  }
  return sql.size();
}

// `postgres`: as PostgreSQL's scanner reads comments (they nest, and a CR ends a `--` one).
std::size_t SkipTrivia(std::string_view sql, std::size_t pos, bool postgres) {
  while (pos < sql.size()) {
    char c = sql[pos];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++pos;
    } else if (sql.substr(pos, 2) == "--") {
      std::size_t nl = postgres ? sql.find_first_of("\r\n", pos) : sql.find('\n', pos);
      pos = nl == std::string_view::npos ? sql.size() : nl + 1;
    } else if (sql.substr(pos, 2) == "/*") {
      pos = EndOfBlockComment(sql, pos, postgres);
    } else {
      break;
    }
  }
  return pos;
}

}  // namespace

std::size_t SkipSqlTrivia(std::string_view sql, std::size_t pos) {
  return SkipTrivia(sql, pos, false);
}

std::size_t SkipPostgresTrivia(std::string_view sql, std::size_t pos) {
  return SkipTrivia(sql, pos, true);
}

bool IsBlankSql(std::string_view sql) {
  std::size_t pos = SkipSqlTrivia(sql);
  // Stray semicolons alone are nothing to run either.
  while (pos < sql.size() && sql[pos] == ';') pos = SkipSqlTrivia(sql, pos + 1);
  return pos >= sql.size();
}

namespace {

// The token of `sql` at `i` (not trivia) for TokenFingerprint, as it is hashed; advances `i`.
std::string_view NextToken(std::string_view sql, std::size_t& i, std::string& lowered) {
  auto quoted = [&](char close) {
    std::size_t start = i++;
    while (i < sql.size()) {
      if (sql[i] == close) {
        if (close != ']' && i + 1 < sql.size() && sql[i + 1] == close) {
          i += 2;  // doubled quote inside
          continue;
        }
        ++i;
        break;
      }
      ++i;
    }
    return sql.substr(start, i - start);
  };
  char c = sql[i];
  if (c == '\'' || c == '"' || c == '`') return quoted(c);
  if (c == '[') return quoted(']');
  if (c == '$') {
    std::size_t tag_end = sql.find('$', i + 1);
    std::string_view tag = tag_end == std::string_view::npos ? "" : sql.substr(i, tag_end - i + 1);
    bool is_tag = !tag.empty() && std::all_of(tag.begin() + 1, tag.end() - 1, [](char t) {
      return std::isalnum(static_cast<unsigned char>(t)) || t == '_';
    });
    std::size_t close = is_tag ? sql.find(tag, tag_end + 1) : std::string_view::npos;
    std::size_t start = i;
    i = close != std::string_view::npos ? close + tag.size() : i + 1;
    return sql.substr(start, i - start);
  }
  if (std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
      static_cast<unsigned char>(c) >= 0x80) {
    lowered.clear();
    while (i < sql.size() && (std::isalnum(static_cast<unsigned char>(sql[i])) || sql[i] == '_' ||
                              sql[i] == '$' || static_cast<unsigned char>(sql[i]) >= 0x80)) {
      lowered.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(sql[i]))));
      ++i;
    }
    return lowered;
  }
  return sql.substr(i++, 1);
}

}  // namespace

// Hashed as it goes, through a small buffer: a 50 MB file never becomes a second string.
std::string TokenFingerprint(std::string_view sql) {
  constexpr std::size_t kChunk = 64 * 1024;
  Sha256 hash;
  std::string chunk;
  std::string lowered;
  chunk.reserve(kChunk);
  std::size_t i = 0;
  while (true) {
    i = SkipSqlTrivia(sql, i);
    if (i >= sql.size()) break;
    std::string_view token = NextToken(sql, i, lowered);
    if (token.size() >= kChunk) {  // a long string: hashed in place
      hash.Update(chunk);
      hash.Update(token);
      chunk.clear();
    } else {
      chunk += token;
    }
    chunk.push_back('\x1f');
    if (chunk.size() >= kChunk) {
      hash.Update(chunk);
      chunk.clear();
    }
  }
  hash.Update(chunk);
  return hash.Hex();
}

std::vector<SqlToken> LexSqlTokens(std::string_view sql,
                                   const std::function<bool(std::string_view)>& is_keyword) {
  std::vector<SqlToken> out;
  std::string lowered;
  for (std::size_t i = 0; i < sql.size();) {
    std::size_t start = i;
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
      continue;
    }
    SqlToken::Kind kind = SqlToken::Kind::kComment;
    if (sql.substr(i, 2) == "--") {
      std::size_t nl = sql.find('\n', i);
      i = nl == std::string_view::npos ? sql.size() : nl;
    } else if (sql.substr(i, 2) == "/*") {
      i = EndOfBlockComment(sql, i, false);
    } else {
      NextToken(sql, i, lowered);
      std::string_view token = sql.substr(start, i - start);
      bool word = std::isalpha(static_cast<unsigned char>(c)) || c == '_';
      if (c == '\'' || (c == '$' && token.size() > 1)) {
        kind = SqlToken::Kind::kString;
      } else if (word && is_keyword(token)) {
        kind = SqlToken::Kind::kKeyword;
      } else {
        continue;
      }
    }
    out.push_back(SqlToken{start, i - start, kind});
  }
  return out;
}

namespace {

// The offset just past the quoted text that starts at `pos` (a ', " or ` quote), or the end.
std::size_t SkipQuoted(std::string_view sql, std::size_t pos) {
  char quote = sql[pos];
  for (std::size_t i = pos + 1; i < sql.size(); ++i) {
    if (sql[i] != quote) continue;
    if (i + 1 < sql.size() && sql[i + 1] == quote) {
      ++i;  // a doubled quote inside
      continue;
    }
    return i + 1;
  }
  return sql.size();
}

bool IsQuote(char c) { return c == '\'' || c == '"' || c == '`'; }

}  // namespace

std::size_t MatchingParen(std::string_view sql, std::size_t open) {
  int depth = 0;
  for (std::size_t i = open; i < sql.size();) {
    if (IsQuote(sql[i])) {
      i = SkipQuoted(sql, i);
      continue;
    }
    if (sql[i] == '(') ++depth;
    if (sql[i] == ')' && --depth == 0) return i;
    ++i;
  }
  return std::string_view::npos;
}

std::string CollapseSpaces(std::string_view sql) {
  std::string out;
  bool space = false;
  for (std::size_t i = 0; i < sql.size();) {
    char c = sql[i];
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      ++i;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    std::size_t end = IsQuote(c) ? SkipQuoted(sql, i) : i + 1;
    out.append(sql.substr(i, end - i));
    i = end;
  }
  return out;
}

std::string Excerpt(std::string_view s, std::size_t max) {
  std::size_t start = SkipSqlTrivia(s);
  s = s.substr(start);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  bool cut = s.size() > max;
  if (cut) {
    std::size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    s = s.substr(0, end);
  }
  std::string out;
  bool space = false;
  for (char c : s) {
    if (std::isspace(static_cast<unsigned char>(c))) {
      space = true;
      continue;
    }
    if (space && !out.empty()) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
  if (cut) out += "…";
  return out;
}

std::string SqlLiteral(std::string_view value) {
  std::string out = "'";
  for (char ch : value) out += ch == '\'' ? std::string("''") : std::string(1, ch);
  return out + "'";
}

}  // namespace migrate
