// A throwaway migrate project for end-to-end tests: a folder with config.toml, migration
// sources and a SQLite database, and a way to run the real binary in it.
#ifndef MIGRATE_TESTS_E2E_PROJECT_H_
#define MIGRATE_TESTS_E2E_PROJECT_H_

#include <initializer_list>
#include <map>
#include <string>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace migrate::testing {

class Project {
 public:
  // Writes config.toml with a local environment on sqlite:test.db and `extra` appended to
  // its [project] table.
  explicit Project(const std::string& project_keys = "");

  const TempDir& dir() const { return dir_; }
  std::filesystem::path operator/(const std::string& rel) const { return dir_ / rel; }

  // Copies the repository's example project (config.toml, migrations/ and schema/) over this
  // one.
  void CopyExample() const;

  // Writes a migration source file under migrations/.
  void Add(const std::string& name, const std::string& sql) const;

  ProcessResult Run(const std::vector<std::string>& args,
                    const std::map<std::string, std::string>& env = {}) const;

  // Migrations that create one table each: "2_b" writes 2_b.up.sql (CREATE TABLE b) and
  // 2_b.down.sql (DROP TABLE b).
  void AddTables(std::initializer_list<const char*> names) const;

  // The versions in test.db's history, in numeric order.
  std::vector<std::string> History() const;

  // Runs a query against test.db and returns the first column of every row.
  std::vector<std::string> Query(const std::string& sql) const;

  // Runs one statement against test.db.
  void Exec(const std::string& sql) const;

  // The user tables of test.db (not migrate_*, not sqlite_*), sorted.
  std::vector<std::string> Tables() const;

 private:
  TempDir dir_;
};

// The files `migrate diff` wrote in p's migrations/ for `slug`, sorted:
// `<14 digits>_<slug>.(down|up).sql`.
std::vector<std::string> Written(const Project& p, const std::string& slug);

// The text of migrations/`name` in `p`.
std::string MigrationText(const Project& p, const std::string& name);

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_E2E_PROJECT_H_
