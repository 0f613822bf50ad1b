#include "sqlite/sqlite_catalog.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "migrate/sql_text.h"

namespace migrate::sqlite {
namespace {

// Every query joins a pragma to this list of user tables: one statement per kind of object,
// never one per table.
std::string FromUserTables(const std::string& pragma) {
  return " FROM sqlite_schema m JOIN " + pragma +
         " WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string Upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return s;
}

std::string Text(SQLite::Statement& q, int column) {
  return q.getColumn(column).isNull() ? "" : q.getColumn(column).getString();
}

// PostgreSQL's name for an unnamed constraint: table_columns_suffix ("orders_customer_id_fkey").
std::string ConstraintName(const std::string& table, const std::vector<std::string>& columns,
                           const char* suffix) {
  std::string name = table;
  if (std::string(suffix) != "pkey") {
    for (const std::string& column : columns) name += "_" + column;
  }
  return name + "_" + suffix;
}

std::string FkAction(const std::string& action) {
  std::string lower = Lower(action);
  return lower == "no action" ? "" : lower;  // the default says nothing
}

// Reads a CREATE INDEX statement's key list and WHERE clause: SQLite keeps expressions and
// predicates only there.
void SplitIndexSql(const std::string& sql, CatalogIndex& index) {
  std::size_t open = sql.find('(');
  std::size_t close = open == std::string::npos ? open : MatchingParen(sql, open);
  if (close == std::string::npos) return;
  index.keys = CollapseSpaces(std::string_view(sql).substr(open, close - open + 1));
  std::string rest = CollapseSpaces(std::string_view(sql).substr(close + 1));
  if (Upper(rest.substr(0, 6)) == "WHERE ") index.predicate = rest.substr(6);
}

// The names made for unnamed constraints can meet (two foreign keys of one column): as
// PostgreSQL does, the later ones get 1, 2... in the order of what they say.
void NameApart(std::vector<CatalogConstraint>& constraints) {
  auto says = [](const CatalogConstraint& c) {
    return std::tie(c.name, c.type, c.references, c.ref_columns, c.on_update, c.on_delete, c.match);
  };
  std::sort(
      constraints.begin(), constraints.end(),
      [&](const CatalogConstraint& a, const CatalogConstraint& b) { return says(a) < says(b); });
  for (std::size_t i = 0; i < constraints.size();) {
    std::size_t j = i + 1;
    while (j < constraints.size() && constraints[j].name == constraints[i].name) ++j;
    for (std::size_t k = i + 1; k < j; ++k) constraints[k].name += std::to_string(k - i);
    i = j;
  }
}

class Reader {
 public:
  Reader(Connection& c, const TableNames& own) : c_(c) {
    for (const QualifiedName* t : own.All()) own_.push_back(Lower(t->table()));
  }

  Catalog Read() {
    Objects();
    Tables();
    Columns();
    Indexes();
    ForeignKeys();
    Catalog out;
    for (auto& [name, table] : tables_) {
      NameApart(table.constraints);
      table.sql = table_sql_[name];
      out.tables.push_back(std::move(table));
    }
    out.views = std::move(views_);
    return out;
  }

 private:
  CatalogTable* Table(const std::string& name) {
    auto it = tables_.find(Lower(name));
    return it == tables_.end() ? nullptr : &it->second;
  }

  // Tables, views and triggers from sqlite_schema; the SQL of indexes is kept for Indexes.
  void Objects() {
    SqlCommand q{
        "SELECT type, name, tbl_name, coalesce(sql, '') FROM sqlite_schema WHERE name"
        " NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        {}};
    std::vector<std::pair<std::string, CatalogTrigger>> triggers;
    c_.Query(q, [&](SQLite::Statement& r) {
      std::string type = Text(r, 0), name = Text(r, 1), owner = Text(r, 2), sql = Text(r, 3);
      if (std::find(own_.begin(), own_.end(), Lower(owner)) != own_.end()) return;
      if (type == "table") {
        CatalogTable& t = tables_[Lower(name)];
        t.name = name;
        t.kind = "table";
      }
      if (type == "view") {
        views_.push_back({"", name, false, CollapseSpaces(sql), "", true, "", {}, {}});
      }
      if (type == "trigger") triggers.push_back({owner, {name, CollapseSpaces(sql), ""}});
      if (type == "table") table_sql_[Lower(name)] = sql;
      if (type == "index") index_sql_[Lower(name)] = sql;
    });
    for (auto& [owner, trigger] : triggers) {
      if (CatalogTable* t = Table(owner)) t->triggers.push_back(trigger);
      for (CatalogView& v : views_) {
        if (Lower(v.name) == Lower(owner)) v.triggers.push_back(trigger);
      }
    }
  }

  // WITHOUT ROWID, STRICT and virtual tables; the shadow tables of a virtual one (an FTS
  // index's data) belong to it and are left out.
  void Tables() {
    std::vector<std::string> shadows;
    c_.Query({"SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'", {}},
             [&](SQLite::Statement& r) {
               CatalogTable* t = Table(Text(r, 0));
               if (!t) return;
               std::string type = Text(r, 1);
               if (type == "shadow") shadows.push_back(Lower(t->name));
               if (type == "virtual") t->virtual_module = VirtualModule(table_sql_[Lower(t->name)]);
               t->without_rowid = r.getColumn(2).getInt() != 0;
               t->strict = r.getColumn(3).getInt() != 0;
             });
    for (const std::string& name : shadows) tables_.erase(name);
  }

  // "fts5(body, title)" of "CREATE VIRTUAL TABLE t USING fts5(body, title)".
  static std::string VirtualModule(const std::string& sql) {
    std::string upper = Upper(sql);
    std::size_t at = upper.find(" USING ");
    return at == std::string::npos ? CollapseSpaces(sql) : CollapseSpaces(sql.substr(at + 7));
  }

  // A column's collation (when not BINARY) and AUTOINCREMENT, which no pragma tells.
  void ColumnMetadata(const std::string& table, CatalogColumn& col) {
    const char* type = nullptr;
    const char* collation = nullptr;
    int not_null = 0, primary_key = 0, autoincrement = 0;
    if (sqlite3_table_column_metadata(c_.db().getHandle(), "main", table.c_str(), col.name.c_str(),
                                      &type, &collation, &not_null, &primary_key,
                                      &autoincrement) != SQLITE_OK) {
      return;
    }
    if (collation && Upper(collation) != "BINARY") col.collation = Upper(collation);
    col.autoincrement = autoincrement != 0;
  }

  // Columns and the primary key, from pragma_table_xinfo.
  void Columns() {
    std::map<std::string, std::map<int, std::string>> keys;  // table → pk position → column
    SqlCommand q{
        "SELECT m.name, x.cid, x.name, x.type, x.\"notnull\", x.dflt_value, x.pk,"
        " x.hidden" +
            FromUserTables("pragma_table_xinfo(m.name) x"),
        {}};
    c_.Query(q, [&](SQLite::Statement& r) {
      CatalogTable* t = Table(Text(r, 0));
      if (!t) return;
      CatalogColumn col;
      col.position = r.getColumn(1).getInt() + 1;
      col.name = Text(r, 2);
      col.type = Upper(Text(r, 3));
      col.not_null = r.getColumn(4).getInt() != 0;
      col.default_value = Text(r, 5);
      int hidden = r.getColumn(7).getInt();
      if (hidden == 2 || hidden == 3) col.generated = hidden == 3 ? "stored" : "virtual";
      if (int pk = r.getColumn(6).getInt(); pk > 0) keys[Lower(t->name)][pk] = col.name;
      if (hidden != 1) ColumnMetadata(t->name, col);
      t->columns.push_back(std::move(col));
    });
    for (auto& [table, by_position] : keys) {
      CatalogConstraint pk;
      pk.type = "primary key";
      for (auto& [position, column] : by_position) pk.columns.push_back(column);
      pk.name = ConstraintName(Table(table)->name, pk.columns, "pkey");
      for (std::string& column : pk.columns) column = NamePart(column);
      Table(table)->constraints.push_back(std::move(pk));
    }
  }

  // Indexes (pragma_index_list) and the UNIQUE constraints they implement, with their
  // columns (pragma_index_xinfo). Primary-key indexes are the primary key itself.
  void Indexes() {
    std::map<std::string, std::vector<std::string>> columns;  // index → key columns
    SqlCommand cols{"SELECT il.name, ix.name, ix.cid" +
                        FromUserTables("pragma_index_list(m.name) il JOIN"
                                       " pragma_index_xinfo(il.name) ix") +
                        " AND ix.key = 1 ORDER BY il.name, ix.seqno",
                    {}};
    c_.Query(cols, [&](SQLite::Statement& r) {
      columns[Text(r, 0)].push_back(r.getColumn(2).getInt() == -2 ? "expr" : Text(r, 1));
    });
    SqlCommand q{"SELECT m.name, il.name, il.\"unique\", il.origin" +
                     FromUserTables("pragma_index_list(m.name) il"),
                 {}};
    c_.Query(q, [&](SQLite::Statement& r) {
      CatalogTable* t = Table(Text(r, 0));
      std::string name = Text(r, 1), origin = Text(r, 3);
      if (!t || origin == "pk") return;
      if (origin == "u") {
        // Auto-named (sqlite_autoindex_t_N, by creation order): named by its columns.
        CatalogConstraint u;
        u.type = "unique";
        u.name = ConstraintName(t->name, columns[name], "key");
        for (const std::string& column : columns[name]) u.columns.push_back(NamePart(column));
        t->constraints.push_back(std::move(u));
        return;
      }
      CatalogIndex index;
      index.name = name;
      index.unique = r.getColumn(2).getInt() != 0;
      index.sql = index_sql_[Lower(name)];
      SplitIndexSql(index.sql, index);
      t->indexes.push_back(std::move(index));
    });
  }

  void ForeignKeys() {
    std::map<std::pair<std::string, int>, CatalogConstraint> keys;  // (table, id) → key
    SqlCommand q{
        "SELECT m.name, fk.id, fk.\"table\", fk.\"from\", fk.\"to\", fk.on_update,"
        " fk.on_delete, fk.\"match\"" +
            FromUserTables("pragma_foreign_key_list(m.name) fk") +
            " ORDER BY m.name, fk.id, fk.seq",
        {}};
    c_.Query(q, [&](SQLite::Statement& r) {
      CatalogConstraint& fk = keys[{Text(r, 0), r.getColumn(1).getInt()}];
      fk.type = "foreign key";
      fk.references = NamePart(Text(r, 2));
      fk.columns.push_back(Text(r, 3));
      if (!r.getColumn(4).isNull()) fk.ref_columns.push_back(NamePart(Text(r, 4)));
      fk.on_update = FkAction(Text(r, 5));
      fk.on_delete = FkAction(Text(r, 6));
      fk.match = Lower(Text(r, 7)) == "none" ? "" : Lower(Text(r, 7));
    });
    for (auto& [key, fk] : keys) {
      // Unnamed in SQLite: named by its columns, as PostgreSQL would name it.
      fk.name = ConstraintName(key.first, fk.columns, "fkey");
      for (std::string& column : fk.columns) column = NamePart(column);
      if (CatalogTable* t = Table(key.first)) t->constraints.push_back(std::move(fk));
    }
  }

  Connection& c_;
  std::vector<std::string> own_;
  std::map<std::string, CatalogTable> tables_;  // by lower-case name
  std::vector<CatalogView> views_;
  std::map<std::string, std::string> index_sql_;  // lower-case index name → CREATE INDEX
  std::map<std::string, std::string> table_sql_;  // lower-case table name → CREATE TABLE
};

}  // namespace

Catalog ReadSqliteCatalog(Connection& c, const TableNames& own) { return Reader(c, own).Read(); }

}  // namespace migrate::sqlite
