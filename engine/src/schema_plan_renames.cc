// `--rename old=new`: the renames applied to the current catalog before it is compared, so
// that a renamed table or column is matched with its new name instead of dropped and added;
// and on PostgreSQL the constraints, indexes and serial sequences that differ only by their
// names (a renamed table's "old_pkey"), renamed too.
#include <algorithm>
#include <cctype>
#include <set>

#include "migrate/error.h"
#include "schema_plan_internal.h"

namespace migrate::plan {

namespace {

bool WordChar(char ch) {
  return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$';
}

}  // namespace

std::string ReplaceWord(const std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  std::string out;
  std::size_t i = 0;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, i)) {
    std::size_t end = at + from.size();
    bool whole =
        (at == 0 || !WordChar(text[at - 1])) && (end == text.size() || !WordChar(text[end]));
    out += text.substr(i, at - i) + (whole ? to : from);
    i = end;
  }
  return out + text.substr(i);
}

void AddTableRename(const std::string& schema, const std::string& from, const std::string& to,
                    bool fold_case, Plan& plan) {
  if (fold_case && Key("", from, true) == Key("", to, true)) {
    // SQLite refuses a rename to a name it holds equal: through a name of its own.
    std::string through = from + "__migrate_case";
    plan.Add(kRenames, Kind::kRenameTable, schema, from).new_name = through;
    plan.Add(kRenames, Kind::kRenameTable, schema, through).new_name = to;
    return;
  }
  plan.Add(kRenames, Kind::kRenameTable, schema, from).new_name = to;
}

namespace {

// The '=' of a rename outside double quotes.
std::size_t EqualsOutsideQuotes(const std::string& rename) {
  bool quoted = false;
  for (std::size_t i = 0; i < rename.size(); ++i) {
    if (rename[i] == '"') quoted = !quoted;
    if (rename[i] == '=' && !quoted) return i;
  }
  return std::string::npos;
}

// The parts of a dotted name, a part in double quotes as written inside them ("My.T"); with
// `fold` (PostgreSQL), the others in lower case, as the server reads them.
std::vector<std::string> SplitDots(const std::string& name, bool fold) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    char ch = name[i];
    if (ch == '"' && quoted && i + 1 < name.size() && name[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (ch == '"') {
      quoted = !quoted;
    } else if (ch == '.' && !quoted) {
      out.emplace_back();
    } else {
      out.back() +=
          fold && !quoted ? static_cast<char>(std::tolower(static_cast<unsigned char>(ch))) : ch;
    }
  }
  return out;
}

std::string Qualified(const CatalogTable& t) { return ObjectName(t.schema, t.name); }

class Renamer {
 public:
  Renamer(const Catalog& from, bool fold, Plan& plan) : out_(from), fold_(fold), plan_(plan) {}

  // Table renames first, so that a column rename may name its table by either name.
  void ApplyAll(const std::vector<std::string>& renames) {
    std::vector<const std::string*> columns;
    for (const std::string& r : renames) {
      if (!TryTable(r)) columns.push_back(&r);
    }
    for (const std::string* r : columns) ApplyColumn(*r);
  }

  Catalog out_;

 private:
  struct Parsed {
    std::vector<std::string> old_parts;
    std::string new_name;
  };

  Parsed Parse(const std::string& rename) const {
    std::size_t eq = EqualsOutsideQuotes(rename);
    Parsed p;
    if (eq != std::string::npos) {
      p.old_parts = SplitDots(rename.substr(0, eq), !fold_);
      std::vector<std::string> new_parts = SplitDots(rename.substr(eq + 1), !fold_);
      if (new_parts.size() == 1) p.new_name = new_parts[0];
    }
    bool empty_part = std::any_of(p.old_parts.begin(), p.old_parts.end(),
                                  [](const std::string& part) { return part.empty(); });
    if (p.new_name.empty() || p.old_parts.empty() || p.old_parts.size() > 3 || empty_part) {
      throw Error(ErrorCode::kUsage, "--rename " + rename +
                                         ": write OLD=NEW, OLD a table ([schema.]table) or a "
                                         "column ([schema.]table.column), NEW a bare name; "
                                         "a name in double quotes keeps its case and dots");
    }
    return p;
  }

  bool TryTable(const std::string& rename) {
    Parsed p = Parse(rename);
    if (p.old_parts.size() > 2) return false;
    std::string schema = p.old_parts.size() == 2 ? p.old_parts[0] : "";
    CatalogTable* t = FindTable(schema, p.old_parts.back(), false);
    if (!t) return false;
    for (const CatalogTable& other : out_.tables) {
      bool clash = Key("", other.name, fold_) == Key("", p.new_name, fold_);
      if (other.schema == t->schema && clash && (&other != t || other.name == p.new_name)) {
        throw Error(ErrorCode::kUsage, "--rename " + rename + ": the current schema has a table " +
                                           ObjectName(other.schema, other.name) + " already" +
                                           (&other == t ? " (the same: nothing to rename)" : ""));
      }
    }
    RenameTable(*t, p.new_name);
    return true;
  }

  void ApplyColumn(const std::string& rename) {
    Parsed p = Parse(rename);
    const std::vector<std::string>& parts = p.old_parts;
    if (parts.size() >= 2) {
      std::string schema = parts.size() == 3 ? parts[0] : "";
      if (CatalogTable* t = FindTable(schema, parts[parts.size() - 2], true)) {
        for (CatalogColumn& c : t->columns) {
          if (Key("", c.name, fold_) != Key("", parts.back(), fold_)) continue;
          for (const CatalogColumn& other : t->columns) {
            bool clash = Key("", other.name, fold_) == Key("", p.new_name, fold_);
            if (clash && (&other != &c || other.name == p.new_name)) {
              throw Error(ErrorCode::kUsage,
                          "--rename " + rename + ": " + Qualified(*t) + " has a column " +
                              NamePart(other.name) + " already" +
                              (&other == &c ? " (the same: nothing to rename)" : ""));
            }
          }
          return RenameColumn(*t, c, p.new_name);
        }
      }
    }
    throw Error(ErrorCode::kUsage, "--rename " + rename + ": the current schema has no table or " +
                                       "column " + rename.substr(0, EqualsOutsideQuotes(rename)) +
                                       " (a column is table.column)");
  }

  // The table `name` (in `schema`, or public first); with `old_names`, also by the name a
  // rename of this diff gave it up.
  CatalogTable* FindTable(const std::string& schema, const std::string& name, bool old_names) {
    CatalogTable* found = nullptr;
    for (CatalogTable& t : out_.tables) {
      if (Key("", t.name, fold_) != Key("", name, fold_)) continue;
      if (!schema.empty() && t.schema != schema) continue;
      if (schema.empty() && found && t.schema != "public") continue;  // public first
      found = &t;
    }
    auto renamed = renamed_.find(Key(schema, name, fold_));
    if (!found && old_names && renamed != renamed_.end()) {
      return FindTable(schema, renamed->second, false);
    }
    return found;
  }

  // SQLite's constraints have no names: the catalog makes them of the table and columns, so
  // they follow a rename.
  void RenameUnnamed(CatalogTable& t) {
    if (!fold_) return;
    for (CatalogConstraint& c : t.constraints) {
      std::string name = t.name;
      if (c.type != "primary key") {
        for (const std::string& column : c.columns) name += "_" + column;
      }
      const char* suffix = c.type == "primary key" ? "_pkey"
                           : c.type == "unique"    ? "_key"
                                                   : "_fkey";
      c.name = name + suffix;
    }
  }

  void RenameTable(CatalogTable& t, const std::string& new_name) {
    std::string old_qualified = Qualified(t);
    AddTableRename(t.schema, t.name, new_name, fold_, plan_);
    renamed_[Key("", t.name, fold_)] = new_name;
    renamed_[Key(t.schema, t.name, fold_)] = new_name;
    t.name = new_name;
    RenameUnnamed(t);
    std::string now = Qualified(t);
    for (CatalogTable& other : out_.tables) {
      for (CatalogConstraint& c : other.constraints) {
        if (c.references == old_qualified) c.references = now;
      }
    }
    for (CatalogSequence& s : out_.sequences) {
      if (s.owned_by.rfind(old_qualified + ".", 0) == 0) {
        s.owned_by = now + s.owned_by.substr(old_qualified.size());
      }
    }
  }

  void RenameColumn(CatalogTable& t, CatalogColumn& c, const std::string& new_name) {
    SchemaChange& change = plan_.Add(kRenames, Kind::kRenameColumn, t.schema, t.name);
    change.column = c;
    change.new_name = new_name;
    std::string old_part = NamePart(c.name), new_part = NamePart(new_name);
    c.name = new_name;
    for (CatalogConstraint& k : t.constraints) {
      for (std::string& col : k.columns) {
        if (col == old_part) col = new_part;
      }
      k.definition = ReplaceWord(k.definition, old_part, new_part);
    }
    for (CatalogIndex& i : t.indexes) {
      i.keys = ReplaceWord(i.keys, old_part, new_part);
      i.include = ReplaceWord(i.include, old_part, new_part);
      i.predicate = ReplaceWord(i.predicate, old_part, new_part);
    }
    RenameUnnamed(t);
    std::string table = Qualified(t);
    for (CatalogSequence& s : out_.sequences) {  // a serial column's
      if (s.owned_by == table + "." + old_part) s.owned_by = table + "." + new_part;
    }
    for (CatalogTable& other : out_.tables) {
      for (CatalogConstraint& k : other.constraints) {
        if (k.references != table) continue;
        for (std::string& col : k.ref_columns) {
          if (col == old_part) col = new_part;
        }
      }
    }
  }

  bool fold_;
  Plan& plan_;
  std::map<std::string, std::string> renamed_;  // a renamed table's old name → its new one
};

// Pairs the items of `from` that `to` lacks with the items of `to` that `from` lacks and
// that `same` finds alike but for their names; calls `renamed` for each pair.
template <typename T, typename Same, typename Renamed>
void PairByContent(std::vector<T>& from, const std::vector<T>& to, Same same, Renamed renamed) {
  auto has = [](const std::vector<T>& items, const std::string& name) {
    return std::any_of(items.begin(), items.end(), [&](const T& i) { return i.name == name; });
  };
  std::set<std::string> taken;
  for (T& was : from) {
    if (has(to, was.name)) continue;
    for (const T& now : to) {
      if (has(from, now.name) || taken.count(now.name) || !same(was, now)) continue;
      taken.insert(now.name);
      renamed(was, now);
      break;
    }
  }
}

// `part` given the name, comment and text of `as`: what is left is what it says.
void NamedAs(CatalogConstraint& part, const CatalogConstraint& as) {
  part.name = as.name;
  part.comment = as.comment;
}
void NamedAs(CatalogIndex& part, const CatalogIndex& as) {
  part.name = as.name;
  part.comment = as.comment;
  part.sql = as.sql;
}

// The constraints (indexes) of table `t` renamed: `from`'s renamed in place, each change put
// in `plan` with the part in `member`.
template <typename T>
void RenamePairs(const CatalogTable& t, std::vector<T>& from, const std::vector<T>& to, Kind kind,
                 T SchemaChange::*member, Plan& plan) {
  auto same = [](T a, const T& b) {
    NamedAs(a, b);
    return a == b;
  };
  PairByContent(from, to, same, [&](T& was, const T& to_be) {
    SchemaChange& c = plan.Add(kRenames, kind, t.schema, t.name);
    c.*member = was;
    c.new_name = to_be.name;
    NamedAs(was, to_be);
  });
}

}  // namespace

void MatchRenamedParts(Catalog& from, const Catalog& to, Plan& plan) {
  for (CatalogTable& t : from.tables) {
    const CatalogTable* now = FindTable(to, t.schema, t.name);
    if (!now) continue;
    RenamePairs(t, t.constraints, now->constraints, Kind::kRenameConstraint,
                &SchemaChange::constraint, plan);
    RenamePairs(t, t.indexes, now->indexes, Kind::kRenameIndex, &SchemaChange::index, plan);
  }
  // A serial column's sequence, named after its table and column, follows their renames; the
  // column's default names the sequence by its new name (nextval('...'::regclass) follows).
  auto same_sequence = [](CatalogSequence a, const CatalogSequence& b) {
    a.name = b.name;
    a.comment = b.comment;
    return !a.owned_by.empty() && a == b;
  };
  PairByContent(from.sequences, to.sequences, same_sequence,
                [&](CatalogSequence& was, const CatalogSequence& to_be) {
                  SchemaChange& c = plan.Add(kRenames, Kind::kRenameSequence, was.schema, was.name);
                  c.sequence = was;
                  c.new_name = to_be.name;
                  std::string old_name = NamePart(was.name), new_name = NamePart(to_be.name);
                  was.name = to_be.name;
                  for (CatalogTable& t : from.tables) {
                    for (CatalogColumn& col : t.columns) {
                      if (col.default_value.find("nextval(") == std::string::npos) continue;
                      col.default_value = ReplaceWord(col.default_value, old_name, new_name);
                    }
                  }
                });
}

Catalog ApplyRenames(const Catalog& from, const std::vector<std::string>& renames, bool fold_case,
                     Plan& plan) {
  Renamer renamer(from, fold_case, plan);
  renamer.ApplyAll(renames);
  return std::move(renamer.out_);
}

}  // namespace migrate::plan

namespace migrate {

std::vector<std::string> ReversedRenames(const std::vector<std::string>& renames,
                                         const std::string& dialect) {
  bool fold = dialect == "postgres";
  std::vector<std::string> out;
  for (const std::string& r : renames) {
    std::size_t eq = plan::EqualsOutsideQuotes(r);
    if (eq == std::string::npos) {
      out.push_back(r);
      continue;
    }
    // t.c=d becomes t.d=c; s.t=u becomes s.u=t.
    std::vector<std::string> old_parts = plan::SplitDots(r.substr(0, eq), fold);
    std::string prefix;
    for (std::size_t i = 0; i + 1 < old_parts.size(); ++i) prefix += NamePart(old_parts[i]) + ".";
    out.push_back(prefix + NamePart(plan::SplitDots(r.substr(eq + 1), fold).front()) + "=" +
                  NamePart(old_parts.back()));
  }
  return out;
}

}  // namespace migrate
