// Finds foreign-key violations that one migration introduced, without checking the whole
// database: while the migration's statements are prepared, SQLite's authorizer reports every
// table they write, delete from, drop or alter. Afterwards PRAGMA foreign_key_check runs only
// on the tables written (as children) and on the tables that reference a table that lost or
// changed rows (as parents). The cost follows what the migration touched, not the database's
// size, so long chains stay linear.
#ifndef MIGRATE_DRIVERS_SQLITE_SQLITE_FK_WATCH_H_
#define MIGRATE_DRIVERS_SQLITE_SQLITE_FK_WATCH_H_

#include <SQLiteCpp/SQLiteCpp.h>

#include <set>
#include <string>

namespace migrate::sqlite {

class ForeignKeyWatch {
 public:
  // Starts watching statements prepared on `db`. Tables whose names start with sqlite_ or
  // are in `ignored` (migrate's own) are not recorded. With `deny_attaching_files`, the
  // watch refuses them as RefuseAttachingFiles does, and hands the authorizer back to it.
  ForeignKeyWatch(SQLite::Database& db, std::set<std::string> ignored, bool deny_attaching_files);
  // Stops watching. Never throws.
  ~ForeignKeyWatch();
  ForeignKeyWatch(const ForeignKeyWatch&) = delete;
  ForeignKeyWatch& operator=(const ForeignKeyWatch&) = delete;

  // Stops watching and runs the checks. Returns a description of the first violation
  // ("row 4 of orders references a missing row of customers"), or empty.
  std::string Check();

 private:
  void StopWatching() noexcept;
  static int Authorize(void* self, int action, const char* a1, const char* a2, const char* db,
                       const char* trigger);

  SQLite::Database& db_;
  std::set<std::string> ignored_;
  std::set<std::string> children_;  // tables written: their own foreign keys may now fail
  std::set<std::string> parents_;   // tables that lost rows or changed: who references them?
  bool deny_attaching_files_;
  bool active_ = true;
};

}  // namespace migrate::sqlite

#endif  // MIGRATE_DRIVERS_SQLITE_SQLITE_FK_WATCH_H_
