// `--rename old=new`: the renames applied to the current catalog before it is compared, so
// that a renamed table or column is matched with its new name instead of dropped and added.
#include <cctype>

#include "migrate/error.h"
#include "schema_plan_internal.h"

namespace migrate::plan {
namespace {

std::vector<std::string> SplitDots(const std::string& name) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t dot = name.find('.'); dot != std::string::npos; dot = name.find('.', start)) {
    out.push_back(name.substr(start, dot - start));
    start = dot + 1;
  }
  out.push_back(name.substr(start));
  return out;
}

std::string Qualified(const CatalogTable& t) { return ObjectName(t.schema, t.name); }

bool WordChar(char ch) {
  return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '$';
}

// `text` with `from` as an identifier replaced by `to` (index keys, predicates).
std::string ReplaceWord(const std::string& text, const std::string& from, const std::string& to) {
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

class Renamer {
 public:
  Renamer(const Catalog& from, bool fold, Plan& plan) : out_(from), fold_(fold), plan_(plan) {}

  void Apply(const std::string& rename) {
    std::size_t eq = rename.find('=');
    std::string old_name = rename.substr(0, eq);
    std::string new_name = eq == std::string::npos ? "" : rename.substr(eq + 1);
    if (eq == std::string::npos || old_name.empty() || new_name.empty() ||
        new_name.find('.') != std::string::npos) {
      throw Error(ErrorCode::kUsage, "--rename " + rename +
                                         ": write OLD=NEW, OLD a table ([schema.]table) or a "
                                         "column (table.column), NEW a bare name");
    }
    std::vector<std::string> parts = SplitDots(old_name);
    if (parts.size() <= 2) {
      std::string schema = parts.size() == 2 ? parts[0] : "";
      if (CatalogTable* t = FindTable(schema, parts.back())) return RenameTable(*t, new_name);
    }
    if (parts.size() >= 2) {
      std::string schema = parts.size() == 3 ? parts[0] : "";
      if (CatalogTable* t = FindTable(schema, parts[parts.size() - 2])) {
        for (CatalogColumn& c : t->columns) {
          if (Key("", c.name, fold_) == Key("", parts.back(), fold_)) {
            return RenameColumn(*t, c, new_name);
          }
        }
      }
    }
    throw Error(ErrorCode::kUsage, "--rename " + rename + ": the current schema has no table or " +
                                       "column " + old_name + " (a column is table.column)");
  }

  Catalog out_;

 private:
  CatalogTable* FindTable(const std::string& schema, const std::string& name) {
    CatalogTable* found = nullptr;
    for (CatalogTable& t : out_.tables) {
      if (Key("", t.name, fold_) != Key("", name, fold_)) continue;
      if (!schema.empty() && t.schema != schema) continue;
      if (schema.empty() && found && t.schema != "public") continue;  // public first
      found = &t;
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
    plan_.Add(kRenames, Kind::kRenameTable, t.schema, t.name).new_name = new_name;
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
};

}  // namespace

Catalog ApplyRenames(const Catalog& from, const std::vector<std::string>& renames, bool fold_case,
                     Plan& plan) {
  Renamer renamer(from, fold_case, plan);
  for (const std::string& r : renames) renamer.Apply(r);
  return std::move(renamer.out_);
}

}  // namespace migrate::plan
