// The planner's tables: created, dropped, renamed, altered column by column, or (SQLite,
// when ALTER TABLE cannot say it) rebuilt; and their constraints, indexes, triggers and
// policies.
#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <tuple>

#include "migrate/error.h"
#include "schema_plan_internal.h"

namespace migrate::plan {

const CatalogTable* FindTable(const Catalog& catalog, const std::string& schema,
                              const std::string& name) {
  for (const CatalogTable& t : catalog.tables) {
    if (t.schema == schema && t.name == name) return &t;
  }
  return nullptr;
}

bool SameColumn(const CatalogColumn& a, const CatalogColumn& b) {
  return std::tie(a.type, a.not_null, a.default_value, a.identity, a.generated, a.collation,
                  a.identity_options, a.autoincrement) ==
         std::tie(b.type, b.not_null, b.default_value, b.identity, b.generated, b.collation,
                  b.identity_options, b.autoincrement);
}

bool SameConstraint(const CatalogConstraint& a, const CatalogConstraint& b) {
  return std::tie(a.type, a.columns, a.definition, a.references, a.ref_columns, a.on_update,
                  a.on_delete, a.match, a.deferrable, a.initially_deferred, a.valid) ==
         std::tie(b.type, b.columns, b.definition, b.references, b.ref_columns, b.on_update,
                  b.on_delete, b.match, b.deferrable, b.initially_deferred, b.valid);
}

namespace {

std::string Qualified(const CatalogTable& t) { return ObjectName(t.schema, t.name); }

bool SameIndex(const CatalogIndex& a, const CatalogIndex& b) {
  return std::tie(a.unique, a.method, a.keys, a.include, a.predicate, a.options, a.valid) ==
         std::tie(b.unique, b.method, b.keys, b.include, b.predicate, b.options, b.valid);
}

bool SameTrigger(const CatalogTrigger& a, const CatalogTrigger& b) {
  return std::tie(a.definition, a.fires) == std::tie(b.definition, b.fires);
}

bool SamePolicy(const CatalogPolicy& a, const CatalogPolicy& b) {
  return std::tie(a.command, a.permissive, a.roles, a.using_expression, a.check_expression) ==
         std::tie(b.command, b.permissive, b.roles, b.using_expression, b.check_expression);
}

// The number in "character varying(40)", "numeric(12,2)" (its precision); -1 when none.
int Length(const std::string& type) {
  std::size_t open = type.find('(');
  return open == std::string::npos ? -1 : std::atoi(type.c_str() + open + 1);
}

// Whether every value of type `from` is a value of type `to` (a widening loses nothing).
bool Widens(const std::string& from, const std::string& to) {
  static const std::vector<std::string> kIntegers = {"smallint", "integer", "bigint"};
  auto rank = [](const std::string& t) {
    auto it = std::find(kIntegers.begin(), kIntegers.end(), t);
    return it == kIntegers.end() ? -1 : static_cast<int>(it - kIntegers.begin());
  };
  if (rank(from) >= 0 && (rank(to) >= rank(from) || to == "numeric")) return true;
  std::string base = from.substr(0, from.find('('));
  if (base != to.substr(0, to.find('('))) {
    return to == "text" && (base == "character varying" || base == "character");
  }
  if (base != "character varying" && base != "numeric" && base != "bit varying") return false;
  // The same base: a length (or precision) that grows or goes; numeric's scale must stay.
  if (Length(to) < 0) return true;
  bool same_scale =
      from.substr(from.find(',') == std::string::npos ? from.size() : from.find(',')) ==
      to.substr(to.find(',') == std::string::npos ? to.size() : to.find(','));
  return Length(from) >= 0 && Length(to) >= Length(from) && same_scale;
}

class TablePlanner {
 public:
  TablePlanner(const PlanOptions& options, Plan& plan)
      : sqlite_(options.dialect == "sqlite"), version_(options.postgres_version), plan_(plan) {}

  void Created(const CatalogTable& t) {
    plan_.created.insert(Key(t.schema, t.name, sqlite_));
    plan_.Add(kCreateTables, Kind::kCreateTable, t.schema, t.name).table = t;
    for (const CatalogConstraint& c : t.constraints) {
      // SQLite says its foreign keys in CREATE TABLE; PostgreSQL's come after every table.
      if (c.type == "foreign key" && !sqlite_) AddConstraint(t, c, false);
      Comment(t, "CONSTRAINT", c.name, "", c.comment);
    }
    if (!sqlite_ && (!t.row_security.empty() || !t.replica_identity.empty())) {
      SchemaChange& alter = plan_.Add(kAlterTables, Kind::kAlterTable, t.schema, t.name);
      alter.table.schema = t.schema;
      alter.table.name = t.name;
      alter.table_to = t;
    }
    CreateParts(t, false);
    Comment(t, "TABLE", "", "", t.comment);
    for (const CatalogColumn& c : t.columns) Comment(t, "COLUMN", c.name, "", c.comment);
  }

  void Dropped(const CatalogTable& t) {
    plan_.touched.insert(Key(t.schema, t.name, sqlite_));
    SchemaChange& c = plan_.Add(kDropTables, Kind::kDropTable, t.schema, t.name);
    c.table = t;
    c.loses = "every row of " + Qualified(t);
  }

  void Changed(const CatalogTable& from, const CatalogTable& to) {
    if (from.kind != to.kind || from.partition_key != to.partition_key ||
        from.partition_of != to.partition_of || from.partition_bound != to.partition_bound ||
        from.inherits != to.inherits || from.virtual_module != to.virtual_module) {
      throw Error(ErrorCode::kUsage,
                  "table " + Qualified(to) + " changes what kind of table it is (" + from.kind +
                      (from.partition_of.empty() ? "" : " of " + from.partition_of) + " -> " +
                      to.kind + (to.partition_of.empty() ? "" : " of " + to.partition_of) +
                      "): migrate does not write that migration; write it with 'migrate new'");
    }
    if (sqlite_ && NeedsRebuild(from, to)) return Rebuild(from, to);
    if (sqlite_ && from.name != to.name)
      AddTableRename(from.schema, from.name, to.name, true, plan_);
    if (!sqlite_ && (from.options != to.options || from.row_security != to.row_security ||
                     from.replica_identity != to.replica_identity)) {
      SchemaChange& c = plan_.Add(kAlterTables, Kind::kAlterTable, to.schema, to.name);
      c.table = from;
      c.table_to = to;
    }
    if (from.comment != to.comment) Comment(to, "TABLE", "", from.comment, to.comment);
    retyped_.clear();
    Columns(from, to);
    Constraints(from, to);
    Parts(from, to);
  }

  // Drops `dropped`, each after the others that reference it; in a cycle of references the
  // foreign keys that close it are dropped first.
  void DropInOrder(std::vector<const CatalogTable*> dropped) {
    auto referenced = [&](const CatalogTable* t, bool drop_keys) {
      bool any = false;
      for (const CatalogTable* other : dropped) {
        if (other == t) continue;
        if (ChildOf(*other, *t)) return true;  // a partition or an inheriting table goes first
        for (const CatalogConstraint& c : other->constraints) {
          if (c.type != "foreign key" || c.references != Qualified(*t)) continue;
          any = true;
          if (drop_keys) {
            plan_.Add(kDropDependents, Kind::kDropConstraint, other->schema, other->name)
                .constraint = c;
          }
        }
      }
      return any;
    };
    while (!dropped.empty()) {
      auto next = std::find_if(dropped.begin(), dropped.end(),
                               [&](const CatalogTable* t) { return !referenced(t, false); });
      if (next == dropped.end()) {
        next = dropped.begin();
        // SQLite runs a migration with foreign_keys off: its tables drop in any order.
        if (!sqlite_) referenced(*next, true);
      }
      Dropped(**next);
      dropped.erase(next);
    }
  }

  // Foreign keys whose parent's key was dropped and made again must go and come with it.
  void ReaddForeignKeys(const Catalog& to, const std::set<std::string>& parents) {
    for (const CatalogTable& t : to.tables) {
      if (plan_.created.count(Key(t.schema, t.name, sqlite_))) continue;
      for (const CatalogConstraint& c : t.constraints) {
        if (c.type != "foreign key" || !parents.count(c.references)) continue;
        if (readded_.count(Key(t.schema, t.name + "." + c.name, false))) continue;
        SchemaChange& drop = plan_.Add(kDropDependents, Kind::kDropConstraint, t.schema, t.name);
        drop.constraint = c;
        AddConstraint(t, c, true);
      }
    }
  }

  std::set<std::string> changed_keys_;  // qualified tables whose primary or unique keys changed

 private:
  void Comment(const CatalogTable& t, const std::string& what, const std::string& part,
               const std::string& from, const std::string& to) {
    if (sqlite_ || from == to) return;
    SchemaChange& c = plan_.Add(kComments, Kind::kComment, t.schema, t.name);
    c.comment_on = what;
    c.new_name = part;  // the column, constraint or index; "" for the table itself
    c.comment = to;
  }

  void AddConstraint(const CatalogTable& t, const CatalogConstraint& c, bool existing) {
    bool fk = c.type == "foreign key";
    SchemaChange& add =
        plan_.Add(fk ? kAddForeignKeys : kAddConstraints, Kind::kAddConstraint, t.schema, t.name);
    add.constraint = c;
    add.existing = existing;
    add.table.kind = t.kind;  // a partitioned table's keys cannot be built CONCURRENTLY
    if (fk) readded_.insert(Key(t.schema, t.name + "." + c.name, false));
    // NOT VALID, then VALIDATE: the rows are checked without blocking writes.
    bool later = existing && !sqlite_ && c.valid && (fk || c.type == "check");
    if (later) {
      plan_.Add(fk ? kAddForeignKeys : kAddConstraints, Kind::kValidateConstraint, t.schema, t.name)
          .constraint = c;
    }
  }

  void CreateParts(const CatalogTable& t, bool existing) {
    for (const CatalogIndex& i : t.indexes) {
      SchemaChange& c = plan_.Add(kCreateIndexes, Kind::kCreateIndex, t.schema, t.name);
      c.index = i;
      c.existing = existing;
      Comment(t, "INDEX", i.name, "", i.comment);
    }
    for (const CatalogTrigger& tr : t.triggers) {
      plan_.Add(kCreateTriggers, Kind::kCreateTrigger, t.schema, t.name).trigger = tr;
    }
    for (const CatalogPolicy& p : t.policies) {
      plan_.Add(kCreateTriggers, Kind::kCreatePolicy, t.schema, t.name).policy = p;
    }
  }

  void Columns(const CatalogTable& from, const CatalogTable& to) {
    for (const CatalogColumn& c : from.columns) {
      if (Named(to.columns, c.name, sqlite_)) continue;
      plan_.touched.insert(Key(to.schema, to.name, sqlite_));
      SchemaChange& drop = plan_.Add(kAlterTables, Kind::kDropColumn, to.schema, to.name);
      drop.column = c;
      drop.existing = true;
      drop.loses = "the values of " + Qualified(to) + "." + NamePart(c.name);
    }
    for (const CatalogColumn& c : to.columns) {
      const CatalogColumn* was = Named(from.columns, c.name, sqlite_);
      if (was && was->name != c.name) {  // SQLite: the same column, its name's case changed
        SchemaChange& rename = plan_.Add(kRenames, Kind::kRenameColumn, to.schema, to.name);
        rename.column = *was;
        rename.new_name = c.name;
      }
      CatalogColumn moved;  // moved to a rebuilt enum: its default is set already
      if (was && plan_.moved.count(to.schema + "." + to.name + "." + c.name)) {
        moved = *was;
        moved.default_value = c.default_value;
        was = &moved;
      }
      if (!was) {
        SchemaChange& add = plan_.Add(kAlterTables, Kind::kAddColumn, to.schema, to.name);
        add.column = c;
        add.existing = true;
      } else if (!SameColumn(*was, c)) {
        if (was->type != c.type || was->generated != c.generated) {
          plan_.touched.insert(Key(to.schema, to.name, sqlite_));
          if (was->type != c.type) Retyped(from, to, c);
        }
        if (!sqlite_ && !was->generated.empty() && !c.generated.empty() &&
            was->generated != c.generated && version_ < 17) {
          throw Error(ErrorCode::kUsage,
                      "column " + Qualified(to) + "." + NamePart(c.name) +
                          ": its generation expression changes (" + was->generated + " -> " +
                          c.generated +
                          "), which PostgreSQL alters in place from version 17 (ALTER COLUMN "
                          "... SET EXPRESSION). If the server is 17 or newer, say so with "
                          "postgres_version = 17 in the configuration; else write the migration "
                          "with 'migrate new' (drop the column, add it again, then its indexes)");
        }
        SchemaChange& alter = plan_.Add(kAlterTables, Kind::kAlterColumn, to.schema, to.name);
        alter.column = *was;
        alter.column_to = c;
        alter.existing = true;
        if (was->type != c.type && !Widens(was->type, c.type)) {
          alter.loses =
              "values of " + Qualified(to) + "." + NamePart(c.name) + " that do not fit " + c.type;
        }
      }
      if (!was || was->comment != c.comment) {
        Comment(to, "COLUMN", c.name, was ? was->comment : "", c.comment);
      }
    }
  }

  // Column `c` changes type: the triggers and policies that read it are made again; a
  // generated column that reads it and stays is refused (PostgreSQL refuses the change).
  void Retyped(const CatalogTable& from, const CatalogTable& to, const CatalogColumn& c) {
    retyped_.push_back(c.name);
    if (sqlite_) return;
    for (const CatalogColumn& g : from.columns) {
      const CatalogColumn* stays = Named(to.columns, g.name, false);
      if (g.generated.empty() || !Mentions(g.generated, c.name) || !stays ||
          stays->generated.empty()) {
        continue;
      }
      throw Error(ErrorCode::kUsage,
                  "column " + Qualified(to) + "." + NamePart(c.name) + " changes type, and " +
                      "the generated column " + NamePart(g.name) +
                      " reads it: PostgreSQL cannot change it in place. Write the migration "
                      "with 'migrate new': drop " +
                      NamePart(g.name) + ", change " + NamePart(c.name) + ", add " +
                      NamePart(g.name) + " again");
    }
  }

  void Constraints(const CatalogTable& from, const CatalogTable& to) {
    // A NOT VALID constraint that becomes valid is validated, not made again.
    auto validated = [&](const CatalogConstraint& was, const CatalogConstraint& now) {
      CatalogConstraint checked = was;
      checked.valid = true;
      return !sqlite_ && !was.valid && now.valid && SameConstraint(checked, now);
    };
    for (const CatalogConstraint& c : from.constraints) {
      const CatalogConstraint* now = Named(to.constraints, c.name, sqlite_);
      if (now && validated(c, *now)) {
        plan_.Add(kAddConstraints, Kind::kValidateConstraint, to.schema, to.name).constraint = c;
      }
      if (now && (SameConstraint(c, *now) || validated(c, *now))) continue;
      bool fk = c.type == "foreign key";
      SchemaChange& drop =
          plan_.Add(fk ? kDropDependents : kDropParts, Kind::kDropConstraint, to.schema, to.name);
      drop.constraint = c;
      if (c.type == "primary key" || c.type == "unique") changed_keys_.insert(Qualified(to));
    }
    for (const CatalogConstraint& c : to.constraints) {
      const CatalogConstraint* was = Named(from.constraints, c.name, sqlite_);
      if (!was || !(SameConstraint(*was, c) || validated(*was, c))) AddConstraint(to, c, true);
      if (!was || was->comment != c.comment) {
        Comment(to, "CONSTRAINT", c.name, was ? was->comment : "", c.comment);
      }
    }
  }

  template <typename T, typename Same>
  void DropAndCreate(const std::vector<T>& from, const std::vector<T>& to, Same same,
                     const std::function<void(const T&)>& drop,
                     const std::function<void(const T&)>& create) {
    for (const T& item : from) {
      const T* now = Named(to, item.name, sqlite_);
      if (!now || !same(item, *now)) drop(item);
    }
    for (const T& item : to) {
      const T* was = Named(from, item.name, sqlite_);
      if (!was || !same(*was, item)) create(item);
    }
  }

  void Parts(const CatalogTable& from, const CatalogTable& to) {
    auto on = [&](Phase phase, Kind kind) -> SchemaChange& {
      return plan_.Add(phase, kind, to.schema, to.name);
    };
    DropAndCreate<CatalogIndex>(
        from.indexes, to.indexes, SameIndex,
        [&](const CatalogIndex& i) { on(kDropParts, Kind::kDropIndex).index = i; },
        [&](const CatalogIndex& i) {
          SchemaChange& c = on(kCreateIndexes, Kind::kCreateIndex);
          c.index = i;
          c.existing = true;
        });
    for (const CatalogIndex& i : to.indexes) {
      const CatalogIndex* was = Named(from.indexes, i.name, sqlite_);
      if (!was || was->comment != i.comment) {
        Comment(to, "INDEX", i.name, was ? was->comment : "", i.comment);
      }
    }
    // PostgreSQL cannot change the type of a column a trigger's WHEN or a policy reads.
    auto reads_retyped = [&](const std::string& text) {
      return std::any_of(retyped_.begin(), retyped_.end(),
                         [&](const std::string& c) { return Mentions(text, c); });
    };
    auto same_trigger = [&](const CatalogTrigger& a, const CatalogTrigger& b) {
      return SameTrigger(a, b) && !reads_retyped(a.definition);
    };
    auto same_policy = [&](const CatalogPolicy& a, const CatalogPolicy& b) {
      return SamePolicy(a, b) && !reads_retyped(a.using_expression + " " + a.check_expression);
    };
    DropAndCreate<CatalogTrigger>(
        from.triggers, to.triggers, same_trigger,
        [&](const CatalogTrigger& t) { on(kDropDependents, Kind::kDropTrigger).trigger = t; },
        [&](const CatalogTrigger& t) { on(kCreateTriggers, Kind::kCreateTrigger).trigger = t; });
    DropAndCreate<CatalogPolicy>(
        from.policies, to.policies, same_policy,
        [&](const CatalogPolicy& p) { on(kDropDependents, Kind::kDropPolicy).policy = p; },
        [&](const CatalogPolicy& p) { on(kCreateTriggers, Kind::kCreatePolicy).policy = p; });
  }

  void Rebuild(const CatalogTable& from, const CatalogTable& to) {
    plan_.touched.insert(Key(to.schema, to.name, true));
    SchemaChange& c = plan_.Add(kAlterTables, Kind::kRebuildTable, to.schema, to.name);
    c.table = from;
    c.table_to = to;
    c.existing = true;
    std::string lost;
    for (const CatalogColumn& col : to.columns) {
      const CatalogColumn* was = Named(from.columns, col.name, true);
      if (was && col.generated.empty() && was->generated.empty()) {
        c.copied.emplace_back(col.name, was->name);
      }
    }
    for (const CatalogColumn& col : from.columns) {
      if (!Named(to.columns, col.name, true)) lost += (lost.empty() ? "" : ", ") + col.name;
    }
    if (!lost.empty()) c.loses = "the values of " + Qualified(to) + " column(s) " + lost;
    // Dropping the old table took its indexes and triggers.
    CreateParts(to, true);
  }

  bool sqlite_;
  int version_;  // PlanOptions::postgres_version
  Plan& plan_;
  std::set<std::string> readded_;     // foreign keys already added again
  std::vector<std::string> retyped_;  // the columns of the table at hand whose type changes
};

}  // namespace

void PlanTables(const Catalog& from, const Catalog& to, const PlanOptions& options, Plan& plan) {
  bool fold = options.dialect == "sqlite";
  TablePlanner tables(options, plan);
  std::map<std::string, const CatalogTable*> before, after;
  for (const CatalogTable& t : from.tables) before[Key(t.schema, t.name, fold)] = &t;
  for (const CatalogTable& t : to.tables) after[Key(t.schema, t.name, fold)] = &t;
  std::vector<const CatalogTable*> dropped;
  for (const auto& [key, t] : before) {
    if (!after.count(key)) dropped.push_back(t);
  }
  tables.DropInOrder(std::move(dropped));
  std::vector<const CatalogTable*> created;
  for (const auto& [key, t] : after) {
    auto was = before.find(key);
    if (was == before.end()) {
      created.push_back(t);
    } else {
      tables.Changed(*was->second, *t);
    }
  }
  for (const CatalogTable* t : ParentsFirst(std::move(created))) tables.Created(*t);
  if (!fold) tables.ReaddForeignKeys(to, tables.changed_keys_);
}

}  // namespace migrate::plan
