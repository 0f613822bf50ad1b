// Lexical helpers over SQL text that hold for every dialect: skipping whitespace and
// comments, telling a blank file, a token fingerprint, and a short excerpt of a statement for
// messages. Where a statement ends is not decided here: that is each Dialect's job, with its
// database's own tokenizer.
#ifndef MIGRATE_SQL_TEXT_H_
#define MIGRATE_SQL_TEXT_H_

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace migrate {

// Skips whitespace, `--` comments and `/* */` comments from `pos`; returns the new offset.
std::size_t SkipSqlTrivia(std::string_view sql, std::size_t pos = 0);

// SkipSqlTrivia as PostgreSQL's scanner reads comments: `/* */` comments nest, so
// `/* a /* b */ c */` is one comment, and a `--` comment ends at a CR as well as at a LF.
// (SQLite, and SkipSqlTrivia, end a block comment at the first `*/` and a line one at a LF.)
std::size_t SkipPostgresTrivia(std::string_view sql, std::size_t pos = 0);

// True when `sql` holds nothing but whitespace, SQL comments and semicolons.
bool IsBlankSql(std::string_view sql);

// SHA-256 of the token stream of `sql`: comments and whitespace dropped, unquoted words
// lowercased, quoted strings and identifiers kept exactly (quotes '', "", ``, [] and
// PostgreSQL dollar quotes). The SQLite dialect's fingerprint, and PostgreSQL's fallback.
std::string TokenFingerprint(std::string_view sql);

// `value` as an SQL string literal: in single quotes, inner ones doubled.
std::string SqlLiteral(std::string_view value);

// The offset of the ')' that closes the '(' at `open`, skipping quoted strings and
// identifiers; npos when it is not closed. REQUIRES: sql[open] == '('.
std::size_t MatchingParen(std::string_view sql, std::size_t open);

// `sql` with every run of whitespace outside quotes turned into one space, and trimmed: the
// same statement however it was laid out, for comparing a database's stored CREATE text.
std::string CollapseSpaces(std::string_view sql);

// A token worth highlighting: [offset, offset + length) of the text it was read from.
struct SqlToken {
  enum class Kind { kKeyword, kString, kComment };
  std::size_t offset = 0;
  std::size_t length = 0;
  Kind kind = Kind::kKeyword;
};

// The comments, quoted strings ('' and $tag$ quotes) and keywords of `sql`, read with the
// quoting rules of TokenFingerprint (`/* */` comments do not nest); a word is a keyword when
// `is_keyword` says so. For a dialect whose database has no tokenizer to ask (SQLite).
std::vector<SqlToken> LexSqlTokens(std::string_view sql,
                                   const std::function<bool(std::string_view)>& is_keyword);

// Cuts `s` to at most `max` bytes on a UTF-8 boundary, adding "…" when cut; runs of
// whitespace become one space. For quoting a statement in a message.
std::string Excerpt(std::string_view s, std::size_t max = 80);

}  // namespace migrate

#endif  // MIGRATE_SQL_TEXT_H_
