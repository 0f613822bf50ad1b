// On the real PostgreSQL server: a server that answers but has no such database is not
// reported as a server that is down ("is the server running?").
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;

TEST_CASE("postgres: a missing database is named as such, not as an unreachable server",
          "[postgres][e2e]") {
  std::string admin = PgAdminUrl();
  std::string url = admin.substr(0, admin.rfind('/')) + "/no_such_database_here";
  Project p{"dialects = [\"postgres\"]\n"};
  p.Add("1_a.up.sql", "CREATE TABLE a (id int);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"status"}, {{"DATABASE_URL", url}});
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains("answered, but refused the connection") &&
                        Catch::Contains("no_such_database_here") &&
                        !Catch::Contains("is the server running"));
  CHECK_THAT(r.err, !Catch::Contains("migrate-test-only"));  // the test cluster's password
}
