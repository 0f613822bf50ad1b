#include "postgres/postgres_tokens.h"

#include <pg_query.h>
#include <pg_query/pg_query.pb-c.h>

#include <optional>
#include <string>

namespace migrate::postgres {
namespace {

std::optional<SqlToken::Kind> KindOf(const PgQuery__ScanToken& t) {
  switch (t.token) {
    case PG_QUERY__TOKEN__SQL_COMMENT:
    case PG_QUERY__TOKEN__C_COMMENT:
      return SqlToken::Kind::kComment;
    case PG_QUERY__TOKEN__SCONST:
    case PG_QUERY__TOKEN__USCONST:
    case PG_QUERY__TOKEN__BCONST:
    case PG_QUERY__TOKEN__XCONST:
      return SqlToken::Kind::kString;
    default:
      break;
  }
  if (t.keyword_kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD) return SqlToken::Kind::kKeyword;
  return std::nullopt;
}

}  // namespace

std::vector<SqlToken> ScanTokens(std::string_view sql) {
  std::vector<SqlToken> out;
  std::string text(sql);
  PgQueryScanResult r = pg_query_scan(text.c_str());
  if (!r.error) {
    PgQuery__ScanResult* scan = pg_query__scan_result__unpack(
        nullptr, r.pbuf.len, reinterpret_cast<const uint8_t*>(r.pbuf.data));
    for (std::size_t i = 0; scan != nullptr && i < scan->n_tokens; ++i) {
      const PgQuery__ScanToken& t = *scan->tokens[i];
      std::optional<SqlToken::Kind> kind = KindOf(t);
      if (!kind || t.start < 0 || t.end <= t.start || std::size_t(t.end) > sql.size()) continue;
      out.push_back(SqlToken{std::size_t(t.start), std::size_t(t.end - t.start), *kind});
    }
    if (scan != nullptr) pg_query__scan_result__free_unpacked(scan, nullptr);
  }
  pg_query_free_scan_result(r);
  return out;
}

bool ReservedKeyword(std::string_view word) {
  std::string text(word);
  PgQueryScanResult r = pg_query_scan(text.c_str());
  bool reserved = false;
  if (!r.error) {
    PgQuery__ScanResult* scan = pg_query__scan_result__unpack(
        nullptr, r.pbuf.len, reinterpret_cast<const uint8_t*>(r.pbuf.data));
    if (scan != nullptr && scan->n_tokens == 1) {
      PgQuery__KeywordKind kind = scan->tokens[0]->keyword_kind;
      reserved = kind != PG_QUERY__KEYWORD_KIND__NO_KEYWORD &&
                 kind != PG_QUERY__KEYWORD_KIND__UNRESERVED_KEYWORD;
    }
    if (scan != nullptr) pg_query__scan_result__free_unpacked(scan, nullptr);
  }
  pg_query_free_scan_result(r);
  return reserved;
}

}  // namespace migrate::postgres
