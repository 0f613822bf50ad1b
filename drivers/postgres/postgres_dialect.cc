#include <pg_query.h>

#include <cctype>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "migrate/naming.h"
#include "migrate/sha256.h"
#include "migrate/source_text.h"
#include "migrate/sql_text.h"
#include "postgres/postgres_analysis.h"
#include "postgres/postgres_driver.h"
#include "postgres/postgres_tokens.h"

namespace migrate::postgres {
namespace {

using nlohmann::json;

// A file larger than this is cut into statements by libpg_query's scanner, and a data
// statement (INSERT, UPDATE, COPY…) larger than it is never given to the parser: the parse
// tree of a VALUES list takes about 18 times its text, its JSON form 12 times and nlohmann's
// tree of that several times more (docs/design.md §2, "Large files"). Smaller files are
// parsed whole, as always.
constexpr std::size_t kParseLimit = std::size_t{256} << 10;

using Pieces = std::vector<std::pair<std::size_t, std::size_t>>;  // [begin, end) of each

// Whether `statement` only reads or writes rows (it never needs to run outside a transaction
// and takes no lock stronger than ROW EXCLUSIVE): its first keyword.
std::string DataKeyword(std::string_view statement) {
  std::size_t pos = SkipPostgresTrivia(statement);
  std::string word;
  while (pos < statement.size() && word.size() < 8 &&
         std::isalpha(static_cast<unsigned char>(statement[pos]))) {
    word.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(statement[pos++]))));
  }
  for (const char* data :
       {"INSERT", "UPDATE", "DELETE", "MERGE", "COPY", "VALUES", "SELECT", "WITH", "TABLE"}) {
    if (word == data) return word;
  }
  return "";
}

// A data statement too large to parse: what review needs, from its first keyword.
StatementInfo LargeDataInfo(std::size_t offset, const std::string& keyword) {
  bool writes =
      keyword == "INSERT" || keyword == "UPDATE" || keyword == "DELETE" || keyword == "MERGE";
  bool reads = keyword == "SELECT" || keyword == "VALUES" || keyword == "TABLE";
  std::string lock = writes ? "ROW EXCLUSIVE" : reads ? "ACCESS SHARE" : "unknown";
  return StatementInfo{offset, keyword, "", lock, false, false, false, {}};
}

bool Flag(const json& node, const char* key) { return node.value(key, false); }

// Why PostgreSQL refuses `stmt` (one parse-tree statement) inside a transaction block, or
// empty. The list follows PreventInTransactionBlock's callers in PostgreSQL 15.
std::string OutsideTransaction(const json& stmt) {
  if (!stmt.is_object() || stmt.empty()) return "";
  const std::string& type = stmt.begin().key();
  const json& n = stmt.begin().value();
  if (type == "IndexStmt" && Flag(n, "concurrent")) return "CREATE INDEX CONCURRENTLY";
  if (type == "DropStmt" && Flag(n, "concurrent")) return "DROP INDEX CONCURRENTLY";
  if (type == "ReindexStmt") {
    for (const json& p : n.value("params", json::array())) {
      if (p.contains("DefElem") && p["DefElem"].value("defname", "") == "concurrently") {
        return "REINDEX CONCURRENTLY";
      }
    }
  }
  if (type == "VacuumStmt" && Flag(n, "is_vacuumcmd")) return "VACUUM";
  if (type == "CreatedbStmt") return "CREATE DATABASE";
  if (type == "DropdbStmt") return "DROP DATABASE";
  if (type == "AlterSystemStmt") return "ALTER SYSTEM";
  if (type == "CreateTableSpaceStmt") return "CREATE TABLESPACE";
  if (type == "DropTableSpaceStmt") return "DROP TABLESPACE";
  if (type == "ClusterStmt" && !n.contains("relation")) return "CLUSTER without a table";
  if (type == "DiscardStmt" && n.value("target", "") == "DISCARD_ALL") return "DISCARD ALL";
  if (type == "AlterTableStmt") {
    for (const json& c : n.value("cmds", json::array())) {
      const json& cmd = c.value("AlterTableCmd", json::object());
      if (cmd.value("subtype", "") == "AT_DetachPartition" &&
          Flag(cmd.value("def", json::object()).value("PartitionCmd", json::object()),
               "concurrent")) {
        return "DETACH PARTITION CONCURRENTLY";
      }
    }
  }
  return "";
}

// Removes the position fields ("location", "stmt_location", "stmt_len") and one comma next
// to each from libpg_query's JSON text, so that what remains says only what the SQL means.
// Working on the text avoids a second JSON parse per file.
std::string StripLocations(std::string_view tree) {
  std::string out;
  out.reserve(tree.size());
  std::size_t i = 0;
  while (i < tree.size()) {
    std::size_t key_end = 0;
    for (std::string_view key : {"\"location\":", "\"stmt_location\":", "\"stmt_len\":"}) {
      if (tree.compare(i, key.size(), key) == 0) key_end = i + key.size();
    }
    if (key_end == 0) {
      out.push_back(tree[i++]);
      continue;
    }
    i = key_end;
    while (i < tree.size() && (std::isdigit(static_cast<unsigned char>(tree[i])) || tree[i] == '-'))
      ++i;
    if (!out.empty() && out.back() == ',') {
      out.pop_back();
    } else if (i < tree.size() && tree[i] == ',') {
      ++i;
    }
  }
  return out;
}

class PgDialect final : public Dialect {
 public:
  // A large file's parse tree is many times its size: its token stream instead.
  std::string Fingerprint(std::string_view sql) const override {
    return sql.size() > kParseLimit ? TokenFingerprint(sql) : TreeFingerprint(sql);
  }

  static std::string TreeFingerprint(std::string_view sql) {
    std::string text(sql);
    PgQueryParseResult r = pg_query_parse(text.c_str());
    std::string out;
    if (r.error) {
      out = TokenFingerprint(sql);
    } else {
      out = Sha256Hex(StripLocations(r.parse_tree));
    }
    pg_query_free_parse_result(r);
    return out;
  }

  std::string_view Name() const override { return kDialectPostgres; }

  std::vector<StatementInfo> Analyze(std::string_view sql) const override {
    if (sql.size() <= kParseLimit) {
      if (std::optional<std::vector<StatementInfo>> all = AnalyzePostgres(sql)) return *all;
    }
    // Large, or written for a newer server: statement by statement; what the grammar reads is
    // analysed, the rest is unknown; a large data statement is known by its first keyword.
    std::vector<StatementInfo> out;
    for (const Statement& s : SplitNewer(sql).statements) {
      std::string_view text = sql.substr(s.offset, s.length);
      if (!s.unchecked.empty()) {
        out.push_back({s.offset, "unknown", "", "unknown", false, false, true, {}});
        continue;
      }
      if (std::string data = DataKeyword(text); text.size() > kParseLimit && !data.empty()) {
        out.push_back(LargeDataInfo(s.offset, data));
        continue;
      }
      for (StatementInfo& info : AnalyzePostgres(text).value_or(std::vector<StatementInfo>{})) {
        info.offset += s.offset;
        out.push_back(std::move(info));
      }
    }
    return out;
  }

  // A large file's tokens would take many times its size: it is shown plain.
  bool IsReservedWord(std::string_view word) const override { return ReservedKeyword(word); }

  std::vector<SqlToken> Tokens(std::string_view sql) const override {
    return sql.size() > kParseLimit ? std::vector<SqlToken>{} : ScanTokens(sql);
  }

  int LockStrength(std::string_view lock) const override { return LockRank(lock); }

  SplitResult Split(std::string_view sql) const override {
    if (sql.size() <= kParseLimit) return SplitParsed(sql);
    // Large: the scanner finds the statements, the parser checks each one but large data.
    SplitResult out;
    std::optional<Pieces> pieces = ScanPieces(sql, out);
    for (std::size_t i = 0; pieces && i < pieces->size() && !out.error_offset; ++i) {
      i = AddPiece(sql, *pieces, i, out, true);
    }
    if (out.error_offset) out.statements.clear();
    return out;
  }

  int GrammarVersion() const override { return PG_VERSION_NUM / 10000; }

  // The parser first; when it rejects the file, libpg_query's scanner finds where each
  // statement ends (strings, comments and dollar-quoted bodies as the server reads them), and
  // each piece is split again by the parser: what it accepts is checked as usual, what it
  // rejects is `unchecked`.
  SplitResult SplitNewer(std::string_view sql) const override {
    SplitResult strict = Split(sql);
    if (!strict.error_offset || NotUtf8(sql)) return strict;
    SplitResult ignored;
    std::optional<Pieces> pieces = ScanPieces(sql, ignored);
    if (!pieces) return strict;  // an unterminated string or comment: the parser's error
    SplitResult out;
    for (std::size_t i = 0; i < pieces->size(); ++i) i = AddPiece(sql, *pieces, i, out, false);
    return out;
  }

 private:
  // Whether `sql` is not UTF-8, with the error at the first bad byte in `out`. The loader
  // refuses such a file; libpg_query would echo its bytes into JSON no parser accepts.
  static bool NotUtf8(std::string_view sql, SplitResult* out = nullptr) {
    std::size_t bad = FindInvalidUtf8(sql);
    if (bad == std::string_view::npos) return false;
    if (out) {
      out->error_offset = bad;
      out->error_message = "the text is not valid UTF-8";
    }
    return true;
  }

  // Where libpg_query's scanner ends each statement of `sql`; nullopt, with the error in
  // `out`, when it cannot (an unterminated string or comment).
  static std::optional<Pieces> ScanPieces(std::string_view sql, SplitResult& out) {
    Pieces pieces;
    std::string text(sql);  // libpg_query wants a NUL-terminated string
    PgQuerySplitResult r = pg_query_split_with_scanner(text.c_str());
    for (int i = 0; !r.error && i < r.n_stmts; ++i) {
      auto begin = static_cast<std::size_t>(r.stmts[i]->stmt_location);
      auto len = static_cast<std::size_t>(r.stmts[i]->stmt_len);
      std::size_t end = len == 0 ? sql.size() : begin + len;  // 0: to the end
      if (end < sql.size() && sql[end] == ';') ++end;
      pieces.emplace_back(begin, end);
    }
    if (r.error) SetError(sql, *r.error, out);
    bool scanned = !r.error;
    pg_query_free_split_result(r);
    if (!scanned) return std::nullopt;
    return pieces;
  }

  // Adds the statements of pieces[i], or of pieces[i..j] when together they parse (a
  // BEGIN ATOMIC body holds semicolons the scanner splits at); returns the last piece used.
  // A large data statement is added unparsed. A piece the parser rejects is an `unchecked`
  // statement, or with `strict` the error of `out`.
  std::size_t AddPiece(std::string_view sql, const Pieces& pieces, std::size_t i, SplitResult& out,
                       bool strict) const {
    std::size_t begin = pieces[i].first;
    std::string_view piece = sql.substr(begin, pieces[i].second - begin);
    if (piece.size() > kParseLimit && !DataKeyword(piece).empty()) {
      std::size_t start = SkipPostgresTrivia(sql, begin);
      out.statements.push_back(
          {start, pieces[i].second - start, StatementKind::kOther, std::string(), std::string()});
      return i;
    }
    SplitResult one = SplitParsed(piece);
    std::size_t last = i;
    if (one.error_offset && Lowered(piece).find("atomic") != std::string::npos) {
      for (std::size_t j = i + 1; j < pieces.size(); ++j) {
        SplitResult joined = SplitParsed(sql.substr(begin, pieces[j].second - begin));
        if (joined.error_offset) continue;
        one = std::move(joined);
        last = j;
        break;
      }
    }
    if (one.error_offset && strict) {
      out.error_offset = begin + *one.error_offset;
      out.error_message = std::move(one.error_message);
      return last;
    }
    if (one.error_offset) {
      std::size_t start = SkipPostgresTrivia(sql, begin);
      std::size_t end = pieces[i].second;
      if (start >= end) return i;
      Statement st{start, end - start, StatementKind::kOther, "", one.error_message};
      st.kind = ClassifyStatement(sql.substr(start, end - start));
      out.statements.push_back(std::move(st));
      return i;
    }
    for (Statement& st : one.statements) {
      st.offset += begin;
      out.statements.push_back(std::move(st));
    }
    return last;
  }

  static SplitResult SplitParsed(std::string_view sql) {
    std::string text(sql);  // libpg_query wants a NUL-terminated string
    return MightRunOutsideTransaction(sql) ? SplitWithTree(sql, text) : SplitOnly(sql, text);
  }

  static std::string Lowered(std::string_view sql) {
    std::string lower(sql);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return lower;
  }

  // Whether `sql` has a word that starts a statement PostgreSQL refuses in a transaction
  // block. When it does not (nearly always), the cheaper split needs no parse tree.
  static bool MightRunOutsideTransaction(std::string_view sql) {
    std::string lower = Lowered(sql);
    for (const char* word :
         {"concurrently", "vacuum", "database", "system", "tablespace", "cluster", "discard"}) {
      if (lower.find(word) != std::string::npos) return true;
    }
    return false;
  }

  static void Add(std::string_view sql, std::size_t begin, std::size_t len, std::string outside,
                  SplitResult& out) {
    std::size_t end = len == 0 ? sql.size() : begin + len;  // 0: to the end
    begin = SkipPostgresTrivia(sql, begin);
    if (end < sql.size() && sql[end] == ';') ++end;
    if (begin >= end) return;
    Statement st{begin, end - begin, StatementKind::kOther, std::move(outside), ""};
    st.kind = ClassifyStatement(sql.substr(begin, end - begin));
    out.statements.push_back(std::move(st));
  }

  static void SetError(std::string_view sql, const PgQueryError& e, SplitResult& out) {
    out.error_offset = CharToByteOffset(sql, e.cursorpos > 0 ? e.cursorpos - 1 : 0);
    out.error_message = e.message ? e.message : "syntax error";
  }

  static SplitResult SplitOnly(std::string_view sql, const std::string& text) {
    SplitResult out;
    PgQuerySplitResult r = pg_query_split_with_parser(text.c_str());
    if (r.error) {
      SetError(sql, *r.error, out);
    } else {
      for (int i = 0; i < r.n_stmts; ++i) {
        Add(sql, static_cast<std::size_t>(r.stmts[i]->stmt_location),
            static_cast<std::size_t>(r.stmts[i]->stmt_len), {}, out);
      }
    }
    pg_query_free_split_result(r);
    return out;
  }

  static SplitResult SplitWithTree(std::string_view sql, const std::string& text) {
    SplitResult out;
    PgQueryParseResult r = pg_query_parse(text.c_str());
    if (r.error) {
      SetError(sql, *r.error, out);
    } else {
      try {
        json tree = json::parse(r.parse_tree);
        for (const json& s : tree.value("stmts", json::array())) {
          Add(sql, s.value("stmt_location", 0), s.value("stmt_len", 0),
              OutsideTransaction(s.value("stmt", json::object())), out);
        }
      } catch (const json::parse_error&) {
        // Only text that is not UTF-8 (which the loader refuses first) gets here: libpg_query
        // copies its bytes into JSON no parser accepts. Checked here, not on every split.
        out.statements.clear();
        NotUtf8(sql, &out);
      }
    }
    pg_query_free_parse_result(r);
    return out;
  }
};

}  // namespace

const Dialect& PostgresDialect() {
  static const PgDialect kDialect;
  return kDialect;
}

}  // namespace migrate::postgres
