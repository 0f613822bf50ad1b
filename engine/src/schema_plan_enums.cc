// The planner's enums: values added in place, or the type made again without the values that
// are gone (the down of a diff that added one), with what reads the type moved to it.
#include <algorithm>

#include "migrate/error.h"
#include "schema_plan_internal.h"

namespace migrate::plan {
namespace {

class EnumRebuild {
 public:
  EnumRebuild(const Catalog& from, const Catalog& to, const CatalogType& type, Plan& plan)
      : from_(from), to_(to), type_(type), name_(ObjectName(type.schema, type.name)), plan_(plan) {}

  // The columns of the type (or arrays of it) that both catalogs have, moved to the new type,
  // their defaults dropped first and set to what `to` says after.
  void MoveColumns() {
    for (const CatalogTable& was : from_.tables) {
      const CatalogTable* now = FindTable(to_, was.schema, was.name);
      if (!now) continue;
      for (const CatalogColumn& c : was.columns) {
        if (c.type != name_ && c.type != name_ + "[]") continue;
        const CatalogColumn* it = Named(now->columns, c.name, false);
        if (!it || it->type != c.type) continue;
        plan_.touched.insert(Key(was.schema, was.name, false));
        plan_.moved.insert(was.schema + "." + was.name + "." + c.name);
        SchemaChange& alter = plan_.Add(kAlterTables, Kind::kAlterColumn, was.schema, was.name);
        alter.column = c;
        alter.column_to = *it;
        alter.existing = true;
        alter.using_expression =
            NamePart(c.name) + "::text" + (c.type == name_ ? "" : "[]") + "::" + c.type;
      }
    }
  }

  // What PostgreSQL cannot move with the columns: refused with what to do.
  void RefuseBuiltOn() const {
    std::string what;
    auto also = [&](const std::string& offender) {
      what += (what.empty() ? "" : ", and ") + offender;
    };
    for (const CatalogType& t : from_.types) {
      if (t.kind != "enum" && Mentions(t.base_type + " " + t.definition, name_)) {
        also(t.kind + " " + ObjectName(t.schema, t.name) + " is built on it");
      }
    }
    // What calls a function of the type and is not made again with it.
    for (const CatalogFunction& f : from_.functions) {
      if (!Mentions(f.arguments + " " + f.returns, name_)) continue;
      for (const CatalogType& t : from_.types) {
        for (const std::string& check : t.checks) {
          if (Mentions(check, f.name))
            also("domain " + ObjectName(t.schema, t.name) + " calls " + f.name);
        }
      }
      for (const CatalogFunction& g : from_.functions) {
        if (g.sql.find("BEGIN ATOMIC") != std::string::npos && Mentions(g.sql, f.name) &&
            &g != &f) {
          also("function " + ObjectName(g.schema, g.name) + " calls " + f.name);
        }
      }
      for (const CatalogTable& t : from_.tables) {
        for (const CatalogColumn& c : t.columns) {
          if (Mentions(c.default_value, f.name)) {
            also("the default of " + ObjectName(t.schema, t.name) + "." + NamePart(c.name) +
                 " calls " + f.name);
          }
        }
      }
    }
    for (const CatalogTable& t : from_.tables) {
      for (const CatalogColumn& c : t.columns) {
        if (!c.generated.empty() && ReadsMoved(t, c.generated)) {
          also("generated column " + ObjectName(t.schema, t.name) + "." + NamePart(c.name) +
               " reads a column of it");
        }
      }
      if (ReadsMoved(t, t.partition_key)) {
        also(ObjectName(t.schema, t.name) + " is partitioned by a column of it");
      }
    }
    if (what.empty()) return;
    throw Error(ErrorCode::kUsage,
                "enum " + name_ + ": the down of this diff takes out the value(s) it adds by " +
                    "making the type again, and " + what +
                    ", which PostgreSQL cannot move to the new type. Write this migration "
                    "with 'migrate new' (its down may leave the value in place)");
  }

  // The checks, indexes, foreign keys, policies and triggers that name the type
  // ('a'::public.mood), a function of it, or (keys, policies, triggers) a column that moves,
  // and that `to` keeps alike: a column's move would parse them again against the renamed
  // old type, or is refused while they stand, so they are dropped before and made again
  // after, in the same transaction.
  void MoveReaders() {
    std::vector<std::string> names = {name_};  // the type, as the catalog qualifies it
    for (const CatalogFunction& f : from_.functions) {
      if (Mentions(f.arguments + " " + f.returns, name_)) names.push_back(f.name);
    }
    auto names_it = [&](const std::string& text) {
      return std::any_of(names.begin(), names.end(),
                         [&](const std::string& n) { return Mentions(text, n); });
    };
    for (const CatalogTable& was : from_.tables) {
      const CatalogTable* now = FindTable(to_, was.schema, was.name);
      if (!now) continue;
      for (const CatalogConstraint& c : was.constraints) {
        const CatalogConstraint* kept = Named(now->constraints, c.name, false);
        bool fk = c.type == "foreign key";
        bool reads = fk ? KeyMoves(was, c) : names_it(c.definition);
        if (!kept || !(*kept == c) || !reads) continue;
        plan_.Add(fk ? kDropDependents : kDropParts, Kind::kDropConstraint, was.schema, was.name)
            .constraint = c;
        plan_
            .Add(fk ? kAddForeignKeys : kAddConstraints, Kind::kAddConstraint, was.schema, was.name)
            .constraint = c;
        CommentAgain(was, "CONSTRAINT", c.name, c.comment);
      }
      for (const CatalogIndex& i : was.indexes) {
        const CatalogIndex* kept = Named(now->indexes, i.name, false);
        if (!kept || !(*kept == i) || !names_it(i.keys + " " + i.predicate)) continue;
        plan_.Add(kDropParts, Kind::kDropIndex, was.schema, was.name).index = i;
        plan_.Add(kCreateIndexes, Kind::kCreateIndex, was.schema, was.name).index = i;
        CommentAgain(was, "INDEX", i.name, i.comment);
      }
      for (const CatalogPolicy& p : was.policies) {
        const CatalogPolicy* kept = Named(now->policies, p.name, false);
        std::string text = p.using_expression + " " + p.check_expression;
        if (!kept || !(*kept == p) || !(ReadsMoved(was, text) || names_it(text))) continue;
        plan_.Add(kDropDependents, Kind::kDropPolicy, was.schema, was.name).policy = p;
        plan_.Add(kCreateTriggers, Kind::kCreatePolicy, was.schema, was.name).policy = *kept;
      }
      for (const CatalogTrigger& t : was.triggers) {
        const CatalogTrigger* kept = Named(now->triggers, t.name, false);
        if (!kept || kept->definition != t.definition || !ReadsMoved(was, t.definition)) continue;
        plan_.Add(kDropDependents, Kind::kDropTrigger, was.schema, was.name).trigger = t;
        plan_.Add(kCreateTriggers, Kind::kCreateTrigger, was.schema, was.name).trigger = *kept;
      }
    }
  }

 private:
  // The comment of a part made again (a drop took it).
  void CommentAgain(const CatalogTable& t, const char* on, const std::string& part,
                    const std::string& comment) {
    if (comment.empty()) return;
    SchemaChange& c = plan_.Add(kComments, Kind::kComment, t.schema, t.name);
    c.comment_on = on;
    c.new_name = part;
    c.comment = comment;
  }

  // Whether `text` names a column of `t` that moves to the new type.
  bool ReadsMoved(const CatalogTable& t, const std::string& text) const {
    for (const CatalogColumn& c : t.columns) {
      if (plan_.moved.count(t.schema + "." + t.name + "." + c.name) && Mentions(text, c.name)) {
        return true;
      }
    }
    return false;
  }

  // Whether foreign key `k` of `t` joins columns that move (on either side).
  bool KeyMoves(const CatalogTable& t, const CatalogConstraint& k) const {
    auto moved = [&](const std::string& table, const std::vector<std::string>& columns) {
      return std::any_of(columns.begin(), columns.end(), [&](const std::string& c) {
        return std::any_of(plan_.moved.begin(), plan_.moved.end(),
                           [&](const std::string& m) { return m == table + "." + c; });
      });
    };
    std::string parent = k.references;  // "schema.table" (NamePart parts)
    return moved(t.schema + "." + t.name, k.columns) || moved(parent, k.ref_columns);
  }

  const Catalog& from_;
  const Catalog& to_;
  const CatalogType& type_;
  std::string name_;
  Plan& plan_;
};

}  // namespace

void PlanEnum(const Catalog& from, const Catalog& to, const CatalogType& a, const CatalogType& b,
              const PlanOptions& options, Plan& plan) {
  // Every value kept, in the same order: the new ones are added in place.
  std::size_t kept = 0;
  for (const std::string& v : b.values) {
    if (kept < a.values.size() && a.values[kept] == v) ++kept;
  }
  if (kept == a.values.size()) {
    for (std::size_t i = 0; i < b.values.size(); ++i) {
      if (std::find(a.values.begin(), a.values.end(), b.values[i]) != a.values.end()) continue;
      SchemaChange& c = plan.Add(kCreateTypes, Kind::kAddEnumValue, b.schema, b.name);
      c.type = b;
      c.value = b.values[i];
      if (i + 1 < b.values.size()) c.before = b.values[i + 1];
      if (c.before.empty() && i > 0) c.after = b.values[i - 1];
    }
    return;
  }
  std::string gone;
  for (const std::string& v : a.values) {
    if (std::find(b.values.begin(), b.values.end(), v) == b.values.end()) {
      gone += (gone.empty() ? "'" : ", '") + v + "'";
    }
  }
  if (options.enums == PlanOptions::EnumRemoval::kRefuse) {
    std::string what = gone.empty() ? "its values are in another order" : "it loses " + gone;
    throw Error(ErrorCode::kUsage,
                "enum " + ObjectName(b.schema, b.name) + ": " + what +
                    ", and PostgreSQL cannot remove or move an enum value. Keep the values "
                    "in schema/, or write the migration by hand with 'migrate new': create "
                    "the new type, move each column to it (ALTER COLUMN ... TYPE ... USING "
                    "col::text::new_type) after updating the rows that hold a removed value, "
                    "then drop the old type");
  }
  // Rebuilt: the old type renamed away, the new one made, the columns moved, the old dropped.
  std::string old_name = b.name + "__migrate_old";
  plan.rebuilt.insert(ObjectName(b.schema, b.name));
  plan.Add(kCreateTypes, Kind::kRenameType, b.schema, b.name).new_name = old_name;
  SchemaChange& create = plan.Add(kCreateTypes, Kind::kCreateType, b.schema, b.name);
  create.type = b;
  if (!b.comment.empty()) {  // the new type's; the old one's goes with it
    SchemaChange& comment = plan.Add(kComments, Kind::kComment, b.schema, b.name);
    comment.comment_on = "TYPE";
    comment.comment = b.comment;
  }
  if (!gone.empty()) {
    create.loses = "the value(s) " + gone + " (the migration fails while a row holds one)";
  }
  EnumRebuild rebuild(from, to, b, plan);
  rebuild.MoveColumns();
  rebuild.RefuseBuiltOn();
  rebuild.MoveReaders();
  CatalogType old = a;
  old.name = old_name;
  plan.Add(kDropEnums, Kind::kDropType, b.schema, old_name).type = old;
}

}  // namespace migrate::plan
