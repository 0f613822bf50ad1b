// `migrate plan --format html`: the review page of a plan (plan_review.h). One document with
// its CSS inline and no script; every byte of a file name or of SQL goes through Escape.
#include <map>
#include <sstream>
#include <string_view>

#include "plan_review.h"

namespace migrate::cli {
namespace {

constexpr std::string_view kStyle = R"css(
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em; color: #1d2329; background: #fff; }
h1 { font-size: 1.5em; margin: 0 0 .4em; }
h2 { font-size: 1.15em; margin: 1.6em 0 .3em; padding: .3em .5em; background: #e8eef5; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: .2em 1.2em; }
dl.summary dt { font-weight: 600; }
dl.summary dd { margin: 0; }
p.meta { margin: .2em 0; color: #44505c; }
code, pre, td.src { font-family: ui-monospace, monospace; font-size: 13px; }
table.sql { border-collapse: collapse; width: 100%; }
table.sql td { vertical-align: top; padding: 0 .5em; }
td.ln { text-align: right; color: #7a8591; user-select: none; border-right: 1px solid #d5dbe1; }
td.src { white-space: pre-wrap; word-break: break-all; }
td.note { white-space: nowrap; }
tr.tx td { background: #eef7ee; color: #27632a; font-style: italic; }
tr.notx td { background: #fff4e0; color: #8a5300; font-weight: 600; }
tr.finding td { padding: .15em .5em .15em 2em; }
tr.finding.warning td { background: #fff8d6; color: #6b5200; }
tr.finding.error td { background: #fde4e4; color: #9b1c1c; font-weight: 600; }
.kw { color: #0033b3; font-weight: 600; }
.str { color: #067d17; }
.cmt { color: #8c8c8c; font-style: italic; }
.lock { background: #ffe3c2; color: #7a3b00; border-radius: 3px; padding: 0 .35em; }
.lock.unknown { background: #e4d7ff; color: #3f1d8a; }
.nolock { color: #7a8591; }
)css";

void Escape(std::ostream& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '&':
        out << "&amp;";
        break;
      case '<':
        out << "&lt;";
        break;
      case '>':
        out << "&gt;";
        break;
      case '"':
        out << "&quot;";
        break;
      case '\'':
        out << "&#39;";
        break;
      default:
        out << c;
    }
  }
}

std::string Escaped(std::string_view s) {
  std::ostringstream out;
  Escape(out, s);
  return out.str();
}

const char* ClassOf(SqlToken::Kind kind) {
  switch (kind) {
    case SqlToken::Kind::kKeyword:
      return "kw";
    case SqlToken::Kind::kString:
      return "str";
    case SqlToken::Kind::kComment:
      return "cmt";
  }
  return "";
}

// Writes sql[begin, end) (one line) highlighted; `next` is the first token that may reach
// into it and moves past the tokens that end within it. A token over several lines is
// opened again on each.
void HighlightLine(std::ostream& out, std::string_view sql, std::size_t begin, std::size_t end,
                   const std::vector<SqlToken>& tokens, std::size_t& next) {
  std::size_t pos = begin;
  for (std::size_t i = next; i < tokens.size() && tokens[i].offset < end; ++i) {
    std::size_t from = std::max(tokens[i].offset, pos);
    std::size_t to = std::min(tokens[i].offset + tokens[i].length, end);
    if (to <= from) continue;
    Escape(out, sql.substr(pos, from - pos));
    out << "<span class=\"" << ClassOf(tokens[i].kind) << "\">";
    Escape(out, sql.substr(from, to - from));
    out << "</span>";
    pos = to;
  }
  Escape(out, sql.substr(pos, end - pos));
  while (next < tokens.size() && tokens[next].offset + tokens[next].length <= end) ++next;
}

void Row(std::ostream& out, const char* cls, std::string_view text) {
  out << "<tr class=\"" << cls << "\"><td class=\"ln\"></td><td class=\"src\" colspan=\"2\">";
  Escape(out, text);
  out << "</td></tr>\n";
}

std::string LockBadge(const Dialect& dialect, std::size_t index, const ReviewedStatement& st) {
  std::string text = "statement " + std::to_string(index + 1) + ": " + st.LockText();
  const char* cls = st.lock == "unknown"                 ? "lock unknown"
                    : dialect.LockStrength(st.lock) >= 0 ? "lock"
                                                         : "nolock";
  return "<span class=\"" + std::string(cls) + "\">" + Escaped(text) + "</span>";
}

void Finding(std::ostream& out, const Diagnostic& d) {
  const char* severity = d.severity == Severity::kError ? "error" : "warning";
  out << "<tr class=\"finding " << severity << "\"><td class=\"ln\"></td><td colspan=\"2\">";
  Escape(out, std::string(severity) + "[" + d.rule + "] line " + std::to_string(d.where.line) +
                  ": " + d.message);
  out << "</td></tr>\n";
}

// The file of `r` line by line, with each statement's lock beside its first line, each
// finding under its line, and the transaction migrate opens around it.
void SourceTable(std::ostream& out, const Dialect& dialect, const ReviewedStep& r) {
  const std::string& sql = r.step.sql;
  std::map<int, std::vector<std::string>> badges;
  for (std::size_t i = 0; i < r.statements.size(); ++i) {
    badges[r.statements[i].line].push_back(LockBadge(dialect, i, r.statements[i]));
  }
  std::map<int, std::vector<const Diagnostic*>> findings;
  for (const Diagnostic& d : r.findings) findings[d.where.line].push_back(&d);
  std::vector<SqlToken> tokens = dialect.Tokens(sql);
  std::size_t next = 0;
  out << "<table class=\"sql\">\n";
  if (r.step.transactional) {
    Row(out, "tx", "BEGIN; -- added by migrate: the migration and its history row commit together");
  } else {
    Row(out, "notx",
        "no transaction (-- migrate:no-transaction): each statement commits on its "
        "own; an interruption needs migrate repair");
  }
  int line = 1;
  for (std::size_t begin = 0; begin < sql.size(); ++line) {
    std::size_t nl = sql.find('\n', begin);
    std::size_t end = nl == std::string::npos ? sql.size() : nl;
    out << "<tr id=\"v" << Escaped(r.step.version) << "-l" << line << "\"><td class=\"ln\">" << line
        << "</td><td class=\"src\">";
    HighlightLine(out, sql, begin, end, tokens, next);
    out << "</td><td class=\"note\">";
    for (const std::string& badge : badges[line]) out << badge << " ";
    out << "</td></tr>\n";
    for (const Diagnostic* d : findings[line]) Finding(out, *d);
    begin = end + 1;
  }
  if (r.step.statements.empty()) Row(out, "tx", "(no statements: recorded as applied)");
  if (r.step.transactional) Row(out, "tx", "COMMIT; -- added by migrate, with the history row");
  out << "</table>\n";
}

void StepSection(std::ostream& out, const Dialect& dialect, const ReviewedStep& r) {
  const Step& step = r.step;
  out << "<section>\n<h2>";
  Escape(out, step.version + "  " + step.slug);
  out << "</h2>\n<p class=\"meta\">file <code>";
  Escape(out, step.file);
  out << "</code> · sha256 <code>";
  Escape(out, step.checksum);
  out << "</code></p>\n<p class=\"meta\">";
  Escape(out, std::string(step.transactional ? "one transaction"
                                             : "no transaction: statement by statement") +
                  " · lock_timeout " + r.lock_timeout.Text() + " · statement_timeout " +
                  r.statement_timeout.Text() + " · " + std::to_string(r.statements.size()) +
                  " statement(s) · " + std::to_string(r.findings.size()) + " finding(s)");
  out << "</p>\n";
  SourceTable(out, dialect, r);
  out << "</section>\n";
}

std::string StrongestLock(const PlanReview& review) {
  if (review.strongest_lock.empty()) return "none";
  std::string text = review.strongest_lock;
  for (std::size_t i = 0; i < review.strongest_tables.size(); ++i) {
    text += (i == 0 ? " on " : ", ") + review.strongest_tables[i];
  }
  return text;
}

void Summary(std::ostream& out, const PlanReview& review) {
  auto item = [&out](std::string_view term, const std::string& value) {
    out << "<dt>" << term << "</dt><dd>";
    Escape(out, value);
    out << "</dd>\n";
  };
  out << "<dl class=\"summary\">\n";
  item("Database", review.database + " (" + review.dialect + ")");
  item("Pending", std::to_string(review.steps.size()) + " migration(s)");
  item("Findings", std::to_string(review.errors) + " error(s), " + std::to_string(review.warnings) +
                       " warning(s)");
  item("Strongest lock", StrongestLock(review));
  if (review.unknown_locks > 0) {
    item("Unknown locks", std::to_string(review.unknown_locks) +
                              " statement(s) newer than the grammar: review them by hand");
  }
  out << "</dl>\n";
}

}  // namespace

std::string RenderPlanHtml(const PlanReview& review, const Dialect& dialect) {
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      << "<title>Migration plan: ";
  Escape(out, review.database);
  out << "</title>\n<style>" << kStyle << "</style>\n</head>\n<body>\n<h1>Migration plan</h1>\n";
  Summary(out, review);
  if (review.steps.empty()) out << "<p>Nothing to apply: the database is up to date.</p>\n";
  for (const ReviewedStep& step : review.steps) StepSection(out, dialect, step);
  out << "</body>\n</html>\n";
  return out.str();
}

}  // namespace migrate::cli
