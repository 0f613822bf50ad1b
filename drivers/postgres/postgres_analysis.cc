#include "postgres/postgres_analysis.h"

#include <pg_query.h>

#include <nlohmann/json.hpp>

#include "migrate/sql_text.h"

namespace migrate::postgres {
namespace {

using nlohmann::json;

// Table lock modes from weakest to strongest (PostgreSQL docs, "Table-Level Locks").
constexpr const char* kLocks[] = {
    "ACCESS SHARE", "ROW SHARE",           "ROW EXCLUSIVE", "SHARE UPDATE EXCLUSIVE",
    "SHARE",        "SHARE ROW EXCLUSIVE", "EXCLUSIVE",     "ACCESS EXCLUSIVE"};

std::string Stronger(const std::string& a, const std::string& b) {
  return LockRank(a) >= LockRank(b) ? a : b;
}

// The relation `n` names under `key` ("relation"; an INTO clause's is "rel"), schema-qualified
// when the statement qualifies it.
std::string TableOf(const json& n, const char* key = "relation") {
  const json& r = n.value(key, json::object());
  std::string name = r.value("relname", "");
  std::string schema = r.value("schemaname", "");
  return schema.empty() ? name : schema + "." + name;
}

const json& Field(const json& n, const char* key) {
  static const json kEmpty = json::object();
  auto it = n.find(key);
  return it == n.end() ? kEmpty : *it;
}

bool HasConstraint(const json& column_def, const char* contype) {
  for (const json& c : Field(column_def, "constraints")) {
    if (Field(c, "Constraint").value("contype", "") == contype) return true;
  }
  return false;
}

// The lock one ALTER TABLE subcommand takes (tablecmds.c AlterTableGetLockLevel).
std::string AlterLock(const json& cmd) {
  std::string sub = cmd.value("subtype", "");
  if (sub == "AT_ValidateConstraint" || sub == "AT_SetStatistics" || sub == "AT_ClusterOn" ||
      sub == "AT_DropCluster" || sub == "AT_AttachPartition") {
    return "SHARE UPDATE EXCLUSIVE";
  }
  if (sub == "AT_DetachPartition" &&
      Field(Field(cmd, "def"), "PartitionCmd").value("concurrent", false)) {
    return "SHARE UPDATE EXCLUSIVE";
  }
  if (sub == "AT_AddConstraint" &&
      Field(Field(cmd, "def"), "Constraint").value("contype", "") == "CONSTR_FOREIGN") {
    return "SHARE ROW EXCLUSIVE";
  }
  return "ACCESS EXCLUSIVE";
}

void AnalyzeAlter(const json& n, StatementInfo& info) {
  info.kind = "ALTER TABLE";
  for (const json& c : Field(n, "cmds")) {
    const json& cmd = Field(c, "AlterTableCmd");
    info.lock = info.lock.empty() ? AlterLock(cmd) : Stronger(info.lock, AlterLock(cmd));
    std::string sub = cmd.value("subtype", "");
    const json& def = Field(cmd, "def");
    if (sub == "AT_AddColumn") {
      const json& col = Field(def, "ColumnDef");
      if (HasConstraint(col, "CONSTR_NOTNULL") && !HasConstraint(col, "CONSTR_DEFAULT") &&
          !col.contains("identity") && !HasConstraint(col, "CONSTR_IDENTITY")) {
        info.facts.push_back({"adding-not-null-column", "ADD COLUMN " + col.value("colname", "") +
                                                            " NOT NULL without a DEFAULT"});
      }
    } else if (sub == "AT_AlterColumnType") {
      info.facts.push_back(
          {"changing-column-type", "ALTER COLUMN " + cmd.value("name", "") + " TYPE"});
    } else if (sub == "AT_DropColumn") {
      info.facts.push_back({"dropping-column", "DROP COLUMN " + cmd.value("name", "")});
    } else if (sub == "AT_AddConstraint") {
      const json& con = Field(def, "Constraint");
      std::string type = con.value("contype", "");
      if ((type == "CONSTR_FOREIGN" || type == "CONSTR_CHECK") &&
          !con.value("skip_validation", false)) {
        info.facts.push_back({"constraint-missing-not-valid",
                              std::string(type == "CONSTR_FOREIGN" ? "FOREIGN KEY" : "CHECK") +
                                  " constraint " + con.value("conname", "") +
                                  " validated while the table is locked"});
      }
    }
  }
}

void AnalyzeDrop(const json& n, StatementInfo& info) {
  std::string what = n.value("removeType", "");
  bool concurrent = n.value("concurrent", false);
  info.kind = "DROP " + (what.rfind("OBJECT_", 0) == 0 ? what.substr(7) : what);
  if (what == "OBJECT_TABLE" || what == "OBJECT_INDEX" || what == "OBJECT_VIEW" ||
      what == "OBJECT_MATVIEW") {
    info.lock = concurrent ? "SHARE UPDATE EXCLUSIVE" : "ACCESS EXCLUSIVE";
    for (const json& o : Field(n, "objects")) {
      std::string name;
      for (const json& part : Field(o, "List").value("items", json::array())) {
        name += (name.empty() ? "" : ".") + Field(part, "String").value("sval", "");
      }
      info.table += (info.table.empty() ? "" : ", ") + name;
    }
  }
  if (what == "OBJECT_TABLE") info.facts.push_back({"dropping-table", "DROP TABLE " + info.table});
}

void AnalyzeRename(const json& n, StatementInfo& info) {
  std::string what = n.value("renameType", "");
  info.kind = "RENAME";
  info.table = TableOf(n);
  if (!info.table.empty()) info.lock = "ACCESS EXCLUSIVE";
  if (what == "OBJECT_TABLE") {
    info.facts.push_back(
        {"renaming", "RENAME TABLE " + info.table + " TO " + n.value("newname", "")});
  } else if (what == "OBJECT_COLUMN") {
    info.facts.push_back(
        {"renaming", "RENAME COLUMN " + n.value("subname", "") + " TO " + n.value("newname", "")});
  }
}

void AnalyzeIndex(const json& n, StatementInfo& info) {
  bool concurrent = n.value("concurrent", false);
  info.kind = concurrent ? "CREATE INDEX CONCURRENTLY" : "CREATE INDEX";
  info.table = TableOf(n);
  info.lock = concurrent ? "SHARE UPDATE EXCLUSIVE" : "SHARE";
  // ON ONLY a partitioned table: its index alone, empty and invalid until its partitions'
  // are attached, made at once (the way to index a partitioned table without blocking).
  bool only = !Field(n, "relation").value("inh", false);
  if (!concurrent && !only) {
    info.facts.push_back({"require-concurrent-index", "CREATE INDEX without CONCURRENTLY"});
  }
}

// Statements that lock one table in a fixed mode: kind and lock by parse-tree node type.
bool AnalyzeSimple(const std::string& type, const json& n, StatementInfo& info) {
  struct Simple {
    const char* type;
    const char* kind;
    const char* lock;
  };
  static constexpr Simple kSimple[] = {
      {"InsertStmt", "INSERT", "ROW EXCLUSIVE"},
      {"UpdateStmt", "UPDATE", "ROW EXCLUSIVE"},
      {"DeleteStmt", "DELETE", "ROW EXCLUSIVE"},
      {"CreateTrigStmt", "CREATE TRIGGER", "SHARE ROW EXCLUSIVE"},
      {"TruncateStmt", "TRUNCATE", "ACCESS EXCLUSIVE"},
  };
  for (const Simple& s : kSimple) {
    if (type != s.type) continue;
    info.kind = s.kind;
    info.lock = s.lock;
    if (type != "TruncateStmt") info.table = TableOf(n);
    return true;
  }
  return false;
}

StatementInfo Analyze(const json& stmt) {
  StatementInfo info;
  if (!stmt.is_object() || stmt.empty()) return info;
  const std::string& type = stmt.begin().key();
  const json& n = stmt.begin().value();
  if (AnalyzeSimple(type, n, info)) return info;
  if (type == "CreateStmt") {
    info.kind = "CREATE TABLE";
    info.table = TableOf(n);
    info.creates_table = true;
  } else if (type == "CreateTableAsStmt") {  // a new relation, as a table is: nobody reads it yet
    bool matview = n.value("objtype", "") == "OBJECT_MATVIEW";
    info.kind = matview ? "CREATE MATERIALIZED VIEW" : "CREATE TABLE AS";
    info.table = TableOf(Field(n, "into"), "rel");
    info.creates_table = true;
  } else if (type == "SelectStmt" && n.contains("intoClause")) {
    info.kind = "SELECT INTO";
    info.table = TableOf(Field(n, "intoClause"), "rel");
    info.creates_table = true;
  } else if (type == "AlterTableStmt") {
    info.table = TableOf(n);
    AnalyzeAlter(n, info);
  } else if (type == "IndexStmt") {
    AnalyzeIndex(n, info);
  } else if (type == "DropStmt") {
    AnalyzeDrop(n, info);
  } else if (type == "RenameStmt") {
    AnalyzeRename(n, info);
  } else if (type == "VacuumStmt") {
    info.kind = n.value("is_vacuumcmd", false) ? "VACUUM" : "ANALYZE";
    info.lock = "SHARE UPDATE EXCLUSIVE";
  } else if (type == "RefreshMatViewStmt") {
    info.kind = "REFRESH MATERIALIZED VIEW";
    info.table = TableOf(n);
    info.lock = n.value("concurrent", false) ? "EXCLUSIVE" : "ACCESS EXCLUSIVE";
  } else if (type == "TransactionStmt") {
    info.kind = n.value("kind", "");
    info.facts.push_back({"explicit-transaction", info.kind.substr(info.kind.rfind('_') + 1)});
  } else if (type == "VariableSetStmt") {
    info.kind = "SET";
    info.sets_lock_timeout = n.value("name", "") == "lock_timeout";
  } else {
    // e.g. CreateFunctionStmt, DoStmt: no table lock we can tell
    info.kind = type.size() > 4 && type.ends_with("Stmt") ? type.substr(0, type.size() - 4) : type;
  }
  return info;
}

}  // namespace

std::optional<std::vector<StatementInfo>> AnalyzePostgres(std::string_view sql) {
  std::optional<std::vector<StatementInfo>> out;
  std::string text(sql);
  PgQueryParseResult r = pg_query_parse(text.c_str());
  if (!r.error) {
    try {
      json tree = json::parse(r.parse_tree);
      out.emplace();
      for (const json& s : tree.value("stmts", json::array())) {
        StatementInfo info = Analyze(Field(s, "stmt"));
        info.offset = SkipPostgresTrivia(sql, s.value("stmt_location", 0));
        out->push_back(std::move(info));
      }
    } catch (const json::parse_error&) {
      out.reset();  // text that is not UTF-8: its bytes came back in JSON no parser accepts
    }
  }
  pg_query_free_parse_result(r);
  return out;
}

int LockRank(std::string_view lock) {
  for (int i = 0; i < 8; ++i) {
    if (lock == kLocks[i]) return i;
  }
  return -1;
}

}  // namespace migrate::postgres
