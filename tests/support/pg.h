// The PostgreSQL server the tests use: MIGRATE_TEST_PG_URL, which scripts/test sets after
// starting a throwaway cluster (scripts/pg). A test that needs it fails, never skips, when
// the variable is missing or the server is unreachable.
#ifndef MIGRATE_TESTS_SUPPORT_PG_H_
#define MIGRATE_TESTS_SUPPORT_PG_H_

#include <string>
#include <vector>

namespace migrate::testing {

// The admin URL. Throws std::runtime_error saying how to get one when unset.
std::string PgAdminUrl();

// A fresh database on the test server, dropped (with its connections) at the end.
class PgDatabase {
 public:
  PgDatabase();
  ~PgDatabase();
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;

  const std::string& url() const { return url_; }
  const std::string& name() const { return name_; }

  // Runs `sql` and returns the first column of each row as text ("" for NULL).
  std::vector<std::string> Query(const std::string& sql) const;
  // `pg_dump --schema-only` of the database, with the volatile header lines removed.
  std::string DumpSchema() const;

 private:
  std::string name_;
  std::string url_;
};

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_PG_H_
