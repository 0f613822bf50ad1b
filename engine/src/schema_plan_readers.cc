// The planner's readers on other tables: a row-level security policy of one table whose
// expression reads a column of another whose type changes (PostgreSQL refuses the change
// while the policy stands).
#include <algorithm>

#include "schema_plan_internal.h"

namespace migrate::plan {

void RedoPoliciesReadingRetyped(const Catalog& from, const Catalog& to, Plan& plan) {
  std::vector<std::pair<std::string, std::string>> retyped;  // table, column
  std::set<std::string> redone;                              // table.policy
  for (const auto& phase : plan.phases) {
    for (const SchemaChange& c : phase) {
      if (c.kind == Kind::kAlterColumn && c.column.type != c.column_to.type) {
        retyped.emplace_back(c.owner, c.column.name);
      }
      if (c.kind == Kind::kDropPolicy || c.kind == Kind::kCreatePolicy) {
        redone.insert(c.schema + "." + c.owner + "." + c.policy.name);
      }
    }
  }
  if (retyped.empty()) return;
  for (const CatalogTable& t : from.tables) {
    const CatalogTable* now = FindTable(to, t.schema, t.name);
    if (!now) continue;
    for (const CatalogPolicy& p : t.policies) {
      const CatalogPolicy* kept = Named(now->policies, p.name, false);
      if (!kept || redone.count(t.schema + "." + t.name + "." + p.name)) continue;
      std::string text = p.using_expression + " " + p.check_expression;
      bool reads = std::any_of(retyped.begin(), retyped.end(), [&](const auto& r) {
        return Mentions(text, r.first) && Mentions(text, r.second);
      });
      if (!reads) continue;
      plan.Add(kDropDependents, Kind::kDropPolicy, t.schema, t.name).policy = p;
      plan.Add(kCreateTriggers, Kind::kCreatePolicy, t.schema, t.name).policy = *kept;
    }
  }
}

}  // namespace migrate::plan
