// The planner's SQLite specifics: what ALTER TABLE cannot say (the twelve-step rebuild, after
// https://www.sqlite.org/lang_altertable.html#otheralter), and the triggers a rebuild must
// make again.
#include <algorithm>
#include <cctype>

#include "schema_plan_internal.h"

namespace migrate::plan {
namespace {

// Whether `value` (a default as pragma_table_info gives it, outer parentheses gone) is a
// literal, which is all a column added by ALTER TABLE may default to.
bool Literal(const std::string& value) {
  if (value.empty()) return true;
  std::string lower = Key("", value, true);
  if (lower == "null" || lower == "true" || lower == "false") return true;
  std::size_t start = value[0] == '-' || value[0] == '+' ? 1 : 0;
  bool number_start =
      start < value.size() &&
      (std::isdigit(static_cast<unsigned char>(value[start])) || value[start] == '.');
  if (number_start &&
      std::all_of(value.begin() + static_cast<std::ptrdiff_t>(start), value.end(), [](char ch) {
        return std::isdigit(static_cast<unsigned char>(ch)) || ch == '.' || ch == 'e' ||
               ch == 'E' || ch == 'x' || ch == 'X' || std::isxdigit(static_cast<unsigned char>(ch));
      })) {
    return true;
  }
  // 'text' or X'blob', one literal with no quote inside but doubled ones.
  std::size_t open = lower.rfind("x'", 0) == 0 ? 1 : 0;
  if (value.size() < open + 2 || value[open] != '\'' || value.back() != '\'') return false;
  for (std::size_t i = open + 1; i + 1 < value.size(); ++i) {
    if (value[i] == '\'' && value[++i] != '\'') return false;
  }
  return true;
}

}  // namespace

bool NeedsRebuild(const CatalogTable& from, const CatalogTable& to) {
  if (from.without_rowid != to.without_rowid || from.strict != to.strict) return true;
  if (from.constraints.size() != to.constraints.size()) return true;
  for (const CatalogConstraint& c : from.constraints) {
    const CatalogConstraint* now = Named(to.constraints, c.name, true);
    if (!now || !SameConstraint(c, *now)) return true;
  }
  if (to.columns.size() < from.columns.size()) return true;
  for (std::size_t i = 0; i < to.columns.size(); ++i) {
    const CatalogColumn& c = to.columns[i];
    if (i < from.columns.size()) {
      if (Key("", from.columns[i].name, true) != Key("", c.name, true) ||
          !SameColumn(from.columns[i], c)) {
        return true;
      }
      continue;
    }
    if (!c.generated.empty() || !Literal(c.default_value) ||
        (c.not_null && c.default_value.empty()) || c.autoincrement) {
      return true;
    }
  }
  return false;
}

void RedoTriggersReadingRebuilt(const Catalog& from, const Catalog& to, Plan& plan) {
  std::vector<std::string> rebuilt;
  std::set<std::string> redone;  // table.trigger dropped or made by the plan already
  for (const auto& phase : plan.phases) {
    for (const SchemaChange& c : phase) {
      if (c.kind == Kind::kRebuildTable) rebuilt.push_back(c.owner);
      if (c.kind == Kind::kDropTrigger || c.kind == Kind::kCreateTrigger) {
        redone.insert(Key("", c.owner + "." + c.trigger.name, true));
      }
    }
  }
  if (rebuilt.empty()) return;
  for (const CatalogTable& t : from.tables) {
    const CatalogTable* now = Named(to.tables, t.name, true);
    bool stays = now && std::find(rebuilt.begin(), rebuilt.end(), now->name) == rebuilt.end();
    if (!stays) continue;
    for (const CatalogTrigger& tr : t.triggers) {
      const CatalogTrigger* kept = Named(now->triggers, tr.name, true);
      if (!kept || redone.count(Key("", now->name + "." + tr.name, true))) continue;
      bool reads = std::any_of(rebuilt.begin(), rebuilt.end(),
                               [&](const std::string& r) { return Mentions(tr.definition, r); });
      if (!reads) continue;
      plan.Add(kDropDependents, Kind::kDropTrigger, now->schema, now->name).trigger = tr;
      plan.Add(kCreateTriggers, Kind::kCreateTrigger, now->schema, now->name).trigger = *kept;
    }
  }
}

}  // namespace migrate::plan
