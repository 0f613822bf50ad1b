// PlanSchemaChanges: schemas, extensions, types, sequences, functions and views, and the
// phases assembled into one ordered list. Elsewhere: tables (schema_plan_tables.cc), renames
// asked for and by content (schema_plan_renames.cc), enums (schema_plan_enums.cc),
// partitions (schema_plan_partitions.cc), readers on other tables (schema_plan_readers.cc),
// SQLite's rebuild (schema_plan_sqlite.cc).
#include <algorithm>
#include <cctype>
#include <functional>
#include <sstream>
#include <tuple>

#include "migrate/error.h"
#include "migrate/schema_change.h"
#include "schema_plan_internal.h"

namespace migrate {
namespace plan {

std::string Key(const std::string& schema, const std::string& name, bool fold_case) {
  std::string key = schema.empty() ? name : schema + "." + name;
  if (fold_case) {
    for (char& ch : key) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return key;
}

bool Mentions(const std::string& text, const std::string& name) {
  auto word = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$' ||
           (static_cast<unsigned char>(ch) >= 0x80);
  };
  std::string lower_text = Key("", text, true), lower_name = Key("", name, true);
  for (std::size_t at = lower_text.find(lower_name); at != std::string::npos;
       at = lower_text.find(lower_name, at + 1)) {
    bool before = at == 0 || !word(lower_text[at - 1]);
    std::size_t end = at + lower_name.size();
    if (before && (end == lower_text.size() || !word(lower_text[end]))) return true;
  }
  return false;
}

}  // namespace plan

namespace {

using plan::Kind;
using plan::Plan;

class Planner {
 public:
  Planner(const Catalog& from, const Catalog& to, const PlanOptions& options)
      : from_(from), to_(to), options_(options), sqlite_(options.dialect == "sqlite") {}

  std::vector<SchemaChange> Run() {
    Namespaces();
    Types();
    Sequences();
    Functions();
    plan::PlanTables(from_, to_, options_, plan_);
    if (sqlite_) plan::RedoTriggersReadingRebuilt(from_, to_, plan_);
    if (!sqlite_) plan::SpreadPartitionedIndexes(to_, plan_);
    if (!sqlite_) plan::RedoPoliciesReadingRetyped(from_, to_, plan_);
    Views();
    std::vector<SchemaChange> out;
    for (auto& phase : plan_.phases) {
      for (SchemaChange& c : phase) out.push_back(std::move(c));
    }
    return out;
  }

  Plan plan_;

 private:
  SchemaChange& Add(plan::Phase phase, Kind kind, const std::string& schema,
                    const std::string& name) {
    return plan_.Add(phase, kind, schema, name);
  }

  void Comment(const char* on, const std::string& schema, const std::string& name,
               const std::string& part, const std::string& from, const std::string& to) {
    if (from == to) return;
    SchemaChange& c = Add(plan::kComments, Kind::kComment, schema, name);
    c.comment_on = on;
    c.new_name = part;
    c.comment = to;
  }

  // Calls `added`, `removed` and `both` for the items of `from` and `to` matched by `key`.
  template <typename T, typename KeyOf>
  void Match(const std::vector<T>& from, const std::vector<T>& to, KeyOf key,
             const std::function<void(const T&)>& added,
             const std::function<void(const T&)>& removed,
             const std::function<void(const T&, const T&)>& both) {
    std::map<std::string, const T*> before, after;
    for (const T& item : from) before[key(item)] = &item;
    for (const T& item : to) after[key(item)] = &item;
    for (const auto& [k, item] : before) {
      if (!after.count(k)) removed(*item);
    }
    for (const auto& [k, item] : after) {
      auto was = before.find(k);
      if (was == before.end()) {
        added(*item);
      } else {
        both(*was->second, *item);
      }
    }
  }

  void Namespaces() {
    std::vector<CatalogSchema> schema_drops;  // after the extensions in them
    Match<CatalogSchema>(
        from_.schemas, to_.schemas, [](const CatalogSchema& s) { return s.name; },
        [&](const CatalogSchema& s) {
          Add(plan::kCreateNamespaces, Kind::kCreateSchema, "", s.name).schema_object = s;
          Comment("SCHEMA", "", s.name, "", "", s.comment);
        },
        [&](const CatalogSchema& s) { schema_drops.push_back(s); },
        [&](const CatalogSchema& a, const CatalogSchema& b) {
          Comment("SCHEMA", "", b.name, "", a.comment, b.comment);
        });
    Match<CatalogExtension>(
        from_.extensions, to_.extensions, [](const CatalogExtension& e) { return e.name; },
        [&](const CatalogExtension& e) {
          Add(plan::kCreateNamespaces, Kind::kCreateExtension, e.schema, e.name).extension = e;
        },
        [&](const CatalogExtension& e) {
          Add(plan::kDropNamespaces, Kind::kDropExtension, e.schema, e.name).extension = e;
        },
        [](const CatalogExtension&, const CatalogExtension&) {});
    for (const CatalogSchema& s : schema_drops) {
      Add(plan::kDropNamespaces, Kind::kDropSchema, "", s.name).schema_object = s;
    }
  }

  void Types() {
    auto key = [](const CatalogType& t) { return ObjectName(t.schema, t.name); };
    Match<CatalogType>(
        from_.types, to_.types, key,
        [&](const CatalogType& t) {
          Add(plan::kCreateTypes, Kind::kCreateType, t.schema, t.name).type = t;
          Comment("TYPE", t.schema, t.name, "", "", t.comment);
        },
        [&](const CatalogType& t) {
          plan::Phase phase = t.kind == "enum" ? plan::kDropEnums : plan::kDropTypes;
          Add(phase, Kind::kDropType, t.schema, t.name).type = t;
        },
        [&](const CatalogType& a, const CatalogType& b) {
          Comment("TYPE", b.schema, b.name, "", a.comment, b.comment);
          if (a.kind == "enum" && b.kind == "enum") {
            if (a.values != b.values) plan::PlanEnum(from_, to_, a, b, options_, plan_);
            return;
          }
          if (std::tie(a.kind, a.values, a.base_type, a.not_null, a.default_value, a.checks,
                       a.definition) != std::tie(b.kind, b.values, b.base_type, b.not_null,
                                                 b.default_value, b.checks, b.definition)) {
            throw Error(ErrorCode::kUsage, "type " + key(b) + " (" + b.kind +
                                               ") changes: migrate writes only enum values; "
                                               "write this migration with 'migrate new'");
          }
        });
  }

  // Whether `owned_by` ("s.t.c") names a column that `to` still has.
  bool OwnerStays(const std::string& owned_by) const {
    for (const CatalogTable& t : to_.tables) {
      std::string table = ObjectName(t.schema, t.name) + ".";
      if (owned_by.rfind(table, 0) != 0) continue;
      for (const CatalogColumn& c : t.columns) {
        if (table + NamePart(c.name) == owned_by) return true;
      }
    }
    return false;
  }

  void Sequences() {
    auto owner = [&](const CatalogSequence& s) {
      if (s.owned_by.empty()) return;
      Add(plan::kAddConstraints, Kind::kSequenceOwner, s.schema, s.name).sequence = s;
    };
    Match<CatalogSequence>(
        from_.sequences, to_.sequences,
        [](const CatalogSequence& s) { return ObjectName(s.schema, s.name); },
        [&](const CatalogSequence& s) {
          Add(plan::kCreateTypes, Kind::kCreateSequence, s.schema, s.name).sequence = s;
          owner(s);
          Comment("SEQUENCE", s.schema, s.name, "", "", s.comment);
        },
        [&](const CatalogSequence& s) {
          // A sequence owned by a column that goes is dropped with it.
          if (!s.owned_by.empty() && !OwnerStays(s.owned_by)) return;
          Add(plan::kDropEnums, Kind::kDropSequence, s.schema, s.name).sequence = s;
        },
        [&](const CatalogSequence& a, const CatalogSequence& b) {
          if (std::tie(a.type, a.start, a.increment, a.min, a.max, a.cache, a.cycle) !=
              std::tie(b.type, b.start, b.increment, b.min, b.max, b.cache, b.cycle)) {
            SchemaChange& c = Add(plan::kCreateTypes, Kind::kAlterSequence, b.schema, b.name);
            c.sequence = a;
            c.sequence_to = b;
          }
          if (a.owned_by != b.owned_by) owner(b);
          Comment("SEQUENCE", b.schema, b.name, "", a.comment, b.comment);
        });
  }

  // A function whose signature names a table this plan creates waits for it.
  plan::Phase FunctionPhase(const CatalogFunction& f) const {
    for (const CatalogTable& t : to_.tables) {
      bool created = std::none_of(from_.tables.begin(), from_.tables.end(),
                                  [&](const CatalogTable& o) { return o.name == t.name; });
      if (created && (plan::Mentions(f.returns, t.name) || plan::Mentions(f.arguments, t.name))) {
        return plan::kLateFunctions;
      }
    }
    return plan::kEarlyFunctions;
  }

  // What COMMENT ON calls `f`.
  static const char* CommentKind(const CatalogFunction& f) {
    return f.kind == "procedure" ? "PROCEDURE" : f.kind == "aggregate" ? "AGGREGATE" : "FUNCTION";
  }

  // `f` as the old type names it once a rebuilt enum has its __migrate_old name; the same
  // `f` when its arguments name no rebuilt enum (plan_.rebuilt: qualified names).
  CatalogFunction OnOldTypes(CatalogFunction f) const {
    for (const std::string& type : plan_.rebuilt) {
      f.arguments = plan::ReplaceWord(f.arguments, type, type + "__migrate_old");
    }
    return f;
  }

  void Functions() {
    auto key = [](const CatalogFunction& f) {
      return ObjectName(f.schema, f.name) + "(" + f.arguments + ")";
    };
    auto create = [&](const CatalogFunction& f, Kind kind) {
      Add(FunctionPhase(f), kind, f.schema, f.name).function = f;
    };
    Match<CatalogFunction>(
        from_.functions, to_.functions, key,
        [&](const CatalogFunction& f) {
          create(f, Kind::kCreateFunction);
          Comment(CommentKind(f), f.schema, f.name, "(" + f.arguments + ")", "", f.comment);
        },
        [&](const CatalogFunction& f) {
          Add(plan::kDropFunctions, Kind::kDropFunction, f.schema, f.name).function = OnOldTypes(f);
        },
        [&](const CatalogFunction& a, const CatalogFunction& b) { Changed(a, b, create); });
  }

  template <typename Create>
  void Changed(const CatalogFunction& a, const CatalogFunction& b, Create create) {
    auto says = [](const CatalogFunction& f) {
      return std::tie(f.kind, f.returns, f.language, f.volatility, f.strict, f.security_definer,
                      f.config, f.parallel, f.cost, f.rows, f.body_hash);
    };
    // A function of a rebuilt enum's type is made again on the new type.
    CatalogFunction old = OnOldTypes(a);
    CatalogFunction in = a;  // its signature: the arguments but OUT ones
    in.arguments.clear();
    std::istringstream arguments(a.arguments);
    for (std::string arg; std::getline(arguments >> std::ws, arg, ',');) {
      if (arg.rfind("OUT ", 0) != 0) in.arguments += arg + ",";
    }
    bool takes = OnOldTypes(in).arguments != in.arguments;
    // Its result, or an OUT parameter (pg_get_functiondef's first line; not in the identity
    // arguments), of the type: the same signature, another result.
    std::string head = a.returns + " " + a.sql.substr(0, a.sql.find('\n'));
    bool returns = std::any_of(plan_.rebuilt.begin(), plan_.rebuilt.end(),
                               [&](const std::string& t) { return plan::Mentions(head, t); });
    bool redone = a.kind != b.kind || a.returns != b.returns || takes || returns;
    Comment(CommentKind(b), b.schema, b.name, "(" + b.arguments + ")", redone ? "" : a.comment,
            b.comment);
    if (!redone) {
      if (says(a) != says(b)) create(b, Kind::kReplaceFunction);
      return;
    }
    // Dropped after the views that call it (made again too), and made again: on a rebuilt
    // type's arguments another signature, beside the old one, early enough for the indexes
    // and checks that call it; returning the rebuilt type, before the tables' changes; else
    // after the tables.
    plan_.functions_redone.insert(a.name);
    Add(plan::kDropParts, Kind::kDropFunction, a.schema, a.name).function = old;
    if (takes) return create(b, Kind::kCreateFunction);
    plan::Phase phase = returns ? plan::kCreateTables : plan::kLateFunctions;
    Add(phase, Kind::kCreateFunction, b.schema, b.name).function = b;
  }

  // Views: those that go, change, or read a table or view that changes are dropped (readers
  // first) and made again (what they read first).
  void Views();

  const Catalog& from_;
  const Catalog& to_;
  const PlanOptions& options_;
  bool sqlite_;
};

bool SameView(const CatalogView& a, const CatalogView& b) {
  auto triggers = [](const CatalogView& v) {
    std::vector<std::string> out;
    for (const CatalogTrigger& t : v.triggers) out.push_back(t.name + "\n" + t.definition);
    std::sort(out.begin(), out.end());
    return out;
  };
  auto indexes = [](const CatalogView& v) {
    std::vector<std::string> out;
    for (const CatalogIndex& i : v.indexes) out.push_back(i.name + "\n" + i.sql + i.keys);
    std::sort(out.begin(), out.end());
    return out;
  };
  return std::tie(a.materialized, a.definition, a.options, a.populated) ==
             std::tie(b.materialized, b.definition, b.options, b.populated) &&
         triggers(a) == triggers(b) && indexes(a) == indexes(b);
}

// `views` ordered so that a view comes after every view of the list it mentions.
std::vector<const CatalogView*> ReadersLast(std::vector<const CatalogView*> views) {
  std::vector<const CatalogView*> out;
  while (!views.empty()) {
    auto ready = std::find_if(views.begin(), views.end(), [&](const CatalogView* v) {
      return std::none_of(views.begin(), views.end(), [&](const CatalogView* w) {
        return w != v && plan::Mentions(v->definition, w->name);
      });
    });
    if (ready == views.end()) ready = views.begin();  // a cycle of mentions: as listed
    out.push_back(*ready);
    views.erase(ready);
  }
  return out;
}

void Planner::Views() {
  auto key = [&](const CatalogView& v) { return plan::Key(v.schema, v.name, sqlite_); };
  std::map<std::string, const CatalogView*> before, after;
  for (const CatalogView& v : from_.views) before[key(v)] = &v;
  for (const CatalogView& v : to_.views) after[key(v)] = &v;
  std::set<std::string> redo;  // views dropped (and made again when `to` has them)
  for (const auto& [k, v] : before) {
    auto now = after.find(k);
    if (now == after.end() || !SameView(*v, *now->second)) redo.insert(k);
  }
  // What reads a changed table or a redone view is redone too, until nothing more is.
  for (bool grew = true; grew;) {
    grew = false;
    for (const auto& [k, v] : before) {
      if (redo.count(k)) continue;
      bool reads = std::any_of(plan_.touched.begin(), plan_.touched.end(), [&](const auto& t) {
        return plan::Mentions(v->definition, t.substr(t.rfind('.') + 1));
      });
      reads = reads || std::any_of(redo.begin(), redo.end(), [&](const std::string& r) {
                return plan::Mentions(v->definition, before[r]->name);
              });
      reads = reads ||
              std::any_of(plan_.functions_redone.begin(), plan_.functions_redone.end(),
                          [&](const std::string& f) { return plan::Mentions(v->definition, f); });
      if (reads) grew = redo.insert(k).second;
    }
  }
  std::vector<const CatalogView*> drops, creates;
  for (const std::string& k : redo) drops.push_back(before[k]);
  for (const auto& [k, v] : after) {
    if (!before.count(k) || redo.count(k)) creates.push_back(v);
  }
  std::vector<const CatalogView*> ordered = ReadersLast(drops);
  for (auto it = ordered.rbegin(); it != ordered.rend(); ++it) {
    Add(plan::kDropDependents, Kind::kDropView, (*it)->schema, (*it)->name).view = **it;
  }
  for (const CatalogView* v : ReadersLast(creates)) {
    Add(plan::kCreateViews, Kind::kCreateView, v->schema, v->name).view = *v;
    for (const CatalogIndex& i : v->indexes) {
      Add(plan::kCreateTriggers, Kind::kCreateIndex, v->schema, v->name).index = i;
    }
    for (const CatalogTrigger& t : v->triggers) {
      Add(plan::kCreateTriggers, Kind::kCreateTrigger, v->schema, v->name).trigger = t;
    }
  }
  for (const auto& [k, v] : after) {
    auto was = before.find(k);
    std::string old_comment = was == before.end() || redo.count(k) ? "" : was->second->comment;
    Comment(v->materialized ? "MATERIALIZED VIEW" : "VIEW", v->schema, v->name, "", old_comment,
            v->comment);
  }
}

template <typename T>
void ByName(std::vector<T>& items) {
  std::stable_sort(items.begin(), items.end(), [](const T& a, const T& b) {
    if constexpr (requires { a.schema; }) {
      if (a.schema != b.schema) return a.schema < b.schema;
    }
    return a.name < b.name;
  });
}

// `catalog` as the planner reads it: every list but a table's columns in name order (the
// server's order is its storage's, so a plan's order would vary), and PostgreSQL's NOT VALID
// checks (pg_get_constraintdef's "... NOT VALID") said as a foreign key's is: `valid` false,
// the definition without the words.
Catalog Normalized(Catalog catalog) {
  ByName(catalog.schemas);
  ByName(catalog.extensions);
  ByName(catalog.types);
  ByName(catalog.sequences);
  std::stable_sort(catalog.functions.begin(), catalog.functions.end(),
                   [](const CatalogFunction& a, const CatalogFunction& b) {
                     return std::tie(a.schema, a.name, a.arguments) <
                            std::tie(b.schema, b.name, b.arguments);
                   });
  ByName(catalog.views);
  for (CatalogView& v : catalog.views) {
    ByName(v.indexes);
    ByName(v.triggers);
  }
  ByName(catalog.tables);
  for (CatalogTable& t : catalog.tables) {
    ByName(t.constraints);
    ByName(t.indexes);
    ByName(t.triggers);
    ByName(t.policies);
    for (CatalogConstraint& c : t.constraints) {
      const std::string_view kNotValid = " NOT VALID";
      if (c.definition.ends_with(kNotValid)) {
        c.definition.resize(c.definition.size() - kNotValid.size());
        c.valid = false;
      }
    }
  }
  return catalog;
}

}  // namespace

std::vector<SchemaChange> PlanSchemaChanges(const Catalog& from, const Catalog& to_said,
                                            const PlanOptions& options) {
  Plan renames;
  bool sqlite = options.dialect == "sqlite";
  Catalog renamed = plan::ApplyRenames(Normalized(from), options.renames, sqlite, renames);
  Catalog to = Normalized(to_said);
  if (!sqlite) plan::MatchRenamedParts(renamed, to, renames);
  Planner planner(renamed, to, options);
  planner.plan_.phases[plan::kRenames] = std::move(renames.phases[plan::kRenames]);
  return planner.Run();
}

}  // namespace migrate
