#include "migrate/lint.h"

#include <algorithm>
#include <set>

#include "migrate/source_text.h"
#include "parallel.h"

namespace migrate {
namespace {

// Rules that cannot hurt a table created earlier in the same file (nobody uses it yet).
bool HarmlessOnNewTable(std::string_view rule) {
  return rule == "require-concurrent-index" || rule == "adding-not-null-column" ||
         rule == "constraint-missing-not-valid" || rule == "changing-column-type" ||
         rule == "dropping-column" || rule == "renaming";
}

}  // namespace

const std::vector<LintRule>& LintRules() {
  static const std::vector<LintRule> kRules = {
      {"require-concurrent-index", Severity::kWarning,
       "blocks every write to the table while the index builds",
       "CREATE INDEX CONCURRENTLY, alone in a file with '-- migrate:no-transaction'"},
      {"adding-not-null-column", Severity::kWarning,
       "fails on a table that has rows, and locks it while it tries",
       "add the column nullable (or with a DEFAULT), backfill, then SET NOT NULL"},
      {"changing-column-type", Severity::kWarning,
       "rewrites the whole table under an ACCESS EXCLUSIVE lock and breaks running code",
       "add a new column, backfill it, move readers over, then drop the old one"},
      {"dropping-table", Severity::kWarning,
       "deletes the data for good and breaks any code still reading it",
       "stop every reader first; keep a backup or rename the table before dropping it"},
      {"dropping-column", Severity::kWarning,
       "breaks any running code that still selects or writes the column",
       "stop using the column in code, deploy, then drop it in a later migration"},
      {"renaming", Severity::kWarning, "breaks every running query that uses the old name",
       "add the new name alongside (a view or a new column), move code over, then drop the old"},
      {"constraint-missing-not-valid", Severity::kWarning,
       "scans the whole table while holding a lock that blocks writes",
       "add it NOT VALID, then VALIDATE CONSTRAINT in a later migration"},
      {"require-lock-timeout", Severity::kWarning,
       "waits behind long queries for an ACCESS EXCLUSIVE lock while every other query queues "
       "behind it",
       "write '-- migrate:lock-timeout 5s' at the top, or set lock_timeout for the environment"},
      {"explicit-transaction", Severity::kWarning,
       "migrate already runs each file in its own transaction",
       "remove BEGIN/COMMIT; use '-- migrate:no-transaction' to manage transactions yourself"},
  };
  return kRules;
}

const LintRule* FindLintRule(std::string_view id) {
  for (const LintRule& r : LintRules()) {
    if (r.id == id) return &r;
  }
  return nullptr;
}

bool LintApplies(const Dialect& dialect) { return dialect.Name() == kDialectPostgres; }

namespace {

// `-- migrate:allow <rule>` that names no rule.
void CheckAllowed(const std::string& path, const Directives& directives, Diagnostics& out) {
  for (const std::string& allowed : directives.allow) {
    if (FindLintRule(allowed)) continue;
    std::string known;
    for (const LintRule& r : LintRules()) known += (known.empty() ? "" : ", ") + std::string(r.id);
    out.push_back({Severity::kError, "bad-directive", SourceLocation{path},
                   "'-- migrate:allow " + allowed + "' names no lint rule; known: " + known});
  }
}

// Reports one fact of rule `rule_id`, unless the file allows it or the settings turn it off.
class Reporter {
 public:
  Reporter(const std::string& path, std::string_view text, const Directives& directives,
           const LintSettings& settings, Diagnostics& out)
      : path_(path), text_(text), directives_(directives), settings_(settings), out_(out) {}

  void operator()(std::string_view rule_id, std::size_t offset, const std::string& what) {
    const LintRule* rule = FindLintRule(rule_id);
    const std::vector<std::string>& allow = directives_.allow;
    if (std::find(allow.begin(), allow.end(), rule_id) != allow.end()) return;
    std::optional<Severity> severity = rule->severity;
    if (auto it = settings_.severity.find(std::string(rule_id)); it != settings_.severity.end()) {
      severity = it->second;
    }
    if (!severity) return;
    LineColumn lc = LineColumnAt(text_, offset);
    out_.push_back({*severity, std::string(rule_id), SourceLocation{path_, lc.line, lc.column},
                    what + ": " + std::string(rule->why) + ". Fix: " + std::string(rule->fix) +
                        " (or '-- migrate:allow " + std::string(rule_id) + "')"});
  }

 private:
  const std::string& path_;
  std::string_view text_;
  const Directives& directives_;
  const LintSettings& settings_;
  Diagnostics& out_;
};

}  // namespace

Diagnostics LintFile(const Dialect& dialect, const std::string& path, std::string_view text,
                     const Directives& directives, const LintSettings& settings) {
  Diagnostics out;
  CheckAllowed(path, directives, out);
  std::vector<StatementInfo> statements = dialect.Analyze(text);
  bool unknown = std::any_of(statements.begin(), statements.end(),
                             [](const StatementInfo& s) { return s.unknown; });
  if (unknown && !NewerThanGrammar(dialect, settings.postgres_version)) return out;
  std::set<std::string> created;
  bool sets_lock_timeout = directives.lock_timeout.has_value() || settings.lock_timeout_everywhere;
  for (const StatementInfo& s : statements) sets_lock_timeout |= s.sets_lock_timeout;
  std::set<std::string_view> once;  // rules reported at most once per file
  Reporter report(path, text, directives, settings, out);
  for (const StatementInfo& s : statements) {
    bool new_table = created.count(s.table) > 0;
    if (s.creates_table) created.insert(s.table);
    for (const StatementInfo::Fact& fact : s.facts) {
      if (new_table && HarmlessOnNewTable(fact.rule)) continue;
      if (fact.rule == "explicit-transaction" &&
          (directives.no_transaction || !once.insert("explicit-transaction").second)) {
        continue;
      }
      report(fact.rule, s.offset,
             fact.what + (s.table.empty() || fact.what.find(s.table) != std::string::npos
                              ? ""
                              : " on " + s.table));
    }
    if (s.lock == "ACCESS EXCLUSIVE" && !new_table && !sets_lock_timeout &&
        once.insert("require-lock-timeout").second) {
      report("require-lock-timeout", s.offset,
             s.kind + (s.table.empty() ? "" : " " + s.table) + " takes an ACCESS EXCLUSIVE lock");
    }
  }
  return out;
}

Diagnostics LintSet(const MigrationSet& set, const Dialect& dialect, const LintSettings& settings) {
  std::vector<Diagnostics> per_migration(set.migrations.size());
  ParallelFor(set.migrations.size(), [&](std::size_t i) {
    const SourceFile* up = FindFile(set.migrations[i], Direction::kUp, dialect.Name());
    if (up) per_migration[i] = LintFile(dialect, up->path, up->text, up->directives, settings);
  });
  Diagnostics out;
  for (Diagnostics& d : per_migration) {
    for (Diagnostic& one : d) out.push_back(std::move(one));
  }
  return out;
}

Diagnostics LintStep(const Dialect& dialect, const Step& step, const LintSettings& settings) {
  Diagnostics ignored;  // the build reported any problem with the directives
  Directives directives = ParseDirectives(step.sql, step.file, ignored);
  Diagnostics out = LintFile(dialect, step.file, step.sql, directives, settings);
  for (const Statement& s : step.statements) {
    if (s.unchecked.empty()) continue;
    LineColumn lc = LineColumnAt(step.sql, s.offset);
    out.push_back({Severity::kWarning, std::string(kUncheckedSyntax),
                   SourceLocation{step.file, lc.line, lc.column},
                   UncheckedMessage(dialect, s.unchecked)});
  }
  return out;
}

}  // namespace migrate
