#include "migrate/postgres_dialect.h"

#include <pg_query.h>

#include <string>

#include "migrate/text.h"

namespace migrate {
namespace {

// PostgreSQL reports error positions in characters; convert a 1-based one to a byte offset.
std::size_t CharPositionToOffset(std::string_view text, int cursorpos) {
  std::size_t offset = 0;
  for (int chars = 1; chars < cursorpos && offset < text.size(); ++chars) {
    ++offset;
    while (offset < text.size() && (static_cast<unsigned char>(text[offset]) & 0xC0) == 0x80) {
      ++offset;
    }
  }
  return offset;
}

class PgDialect final : public Dialect {
 public:
  std::string_view Name() const override { return kDialectPostgres; }

  SplitResult Split(std::string_view sql) const override {
    SplitResult out;
    std::string text(sql);  // libpg_query wants a NUL-terminated string
    PgQuerySplitResult r = pg_query_split_with_parser(text.c_str());
    if (r.error) {
      out.error_offset = CharPositionToOffset(sql, r.error->cursorpos);
      out.error_message = r.error->message ? r.error->message : "syntax error";
    } else {
      for (int i = 0; i < r.n_stmts; ++i) {
        std::size_t begin = static_cast<std::size_t>(r.stmts[i]->stmt_location);
        std::size_t end = begin + static_cast<std::size_t>(r.stmts[i]->stmt_len);
        begin = SkipSqlTrivia(sql, begin);
        if (end < sql.size() && sql[end] == ';') ++end;
        if (begin >= end) continue;
        Statement st{begin, end - begin, StatementKind::kOther};
        st.kind = ClassifyStatement(sql.substr(begin, end - begin));
        out.statements.push_back(st);
      }
    }
    pg_query_free_split_result(r);
    return out;
  }
};

}  // namespace

const Dialect& PostgresDialect() {
  static const PgDialect kDialect;
  return kDialect;
}

}  // namespace migrate
