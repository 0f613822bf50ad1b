#include "sqlite/sqlite_fk_watch.h"

#include <sqlite3.h>

#include <algorithm>
#include <cctype>

#include "sqlite/sqlite_connection.h"

namespace migrate::sqlite {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

}  // namespace

ForeignKeyWatch::ForeignKeyWatch(SQLite::Database& db, std::set<std::string> ignored,
                                 bool deny_attaching_files)
    : db_(db), ignored_(std::move(ignored)), deny_attaching_files_(deny_attaching_files) {
  sqlite3_set_authorizer(db_.getHandle(), &ForeignKeyWatch::Authorize, this);
}

ForeignKeyWatch::~ForeignKeyWatch() {
  if (active_) StopWatching();
}

void ForeignKeyWatch::StopWatching() noexcept {
  if (deny_attaching_files_) {
    sqlite3_set_authorizer(db_.getHandle(), RefuseAttachingFiles, nullptr);
  } else {
    sqlite3_set_authorizer(db_.getHandle(), nullptr, nullptr);
  }
  active_ = false;
}

int ForeignKeyWatch::Authorize(void* self, int action, const char* a1, const char* a2,
                               const char* /*db*/, const char* trigger) {
  auto* w = static_cast<ForeignKeyWatch*>(self);
  if (w->deny_attaching_files_ &&
      RefuseAttachingFiles(nullptr, action, a1, a2, nullptr, trigger) == SQLITE_DENY) {
    return SQLITE_DENY;
  }
  // For ALTER TABLE the table is the second argument; for the others, the first.
  const char* table = action == SQLITE_ALTER_TABLE ? a2 : a1;
  if (!table || trigger) return SQLITE_OK;  // a trigger's own writes come from its table's
  std::string name = Lower(table);
  if (name.rfind("sqlite_", 0) == 0 || w->ignored_.count(name)) return SQLITE_OK;
  switch (action) {
    case SQLITE_INSERT:
      w->children_.insert(name);
      break;
    case SQLITE_UPDATE:
      w->children_.insert(name);
      w->parents_.insert(name);
      break;
    case SQLITE_DELETE:
    case SQLITE_DROP_TABLE:
    case SQLITE_ALTER_TABLE:
      w->parents_.insert(name);
      break;
    default:
      break;
  }
  return SQLITE_OK;
}

std::string ForeignKeyWatch::Check() {
  StopWatching();
  std::set<std::string> check = children_;
  if (!parents_.empty()) {
    // Tables whose definition mentions a parent's name: a cheap superset of its children.
    SQLite::Statement q(db_,
                        "SELECT lower(name), lower(sql) FROM sqlite_master WHERE type = 'table' "
                        "AND sql LIKE '%references%'");
    while (q.executeStep()) {
      std::string sql = q.getColumn(1).getString();
      for (const std::string& p : parents_) {
        if (sql.find(p) != std::string::npos) {
          check.insert(q.getColumn(0).getString());
          break;
        }
      }
    }
  }
  for (const std::string& table : check) {
    // SQLite's in-memory schema says whether it still exists (sqlite_master has no index:
    // a query on it would scan every table, every migration).
    if (sqlite3_table_column_metadata(db_.getHandle(), "main", table.c_str(), nullptr, nullptr,
                                      nullptr, nullptr, nullptr, nullptr) != SQLITE_OK) {
      continue;  // dropped by the migration
    }
    std::string quoted = "\"";
    for (char c : table) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    quoted += "\"";
    SQLite::Statement q(db_, "PRAGMA foreign_key_check(" + quoted + ")");
    if (!q.executeStep()) continue;
    std::string rowid = q.getColumn(1).isNull() ? "?" : q.getColumn(1).getString();
    return "row " + rowid + " of " + q.getColumn(0).getString() + " references a missing row of " +
           q.getColumn(2).getString();
  }
  return "";
}

}  // namespace migrate::sqlite
