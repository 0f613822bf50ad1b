// On the real PostgreSQL server: a runner whose lock row was freed by hand (`migrate unlock`)
// while it waited notices at the BEGIN of its next migration, before running any of its
// statements (the check rides with BEGIN: no round trip of its own), and exits 5.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
using namespace std::chrono_literals;

TEST_CASE("postgres: a runner whose lock was freed by hand runs no statement of its next step",
          "[postgres][e2e]") {
  PgDatabase db;
  Project p{"dialects = [\"postgres\"]\n"};
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  // nextval is not rolled back: the canary shows whether a statement of step 2 ran.
  p.Add("1_a.up.sql", "CREATE TABLE a (id int);\nCREATE SEQUENCE canary;\n");
  p.Add("1_a.down.sql", "DROP SEQUENCE canary;\nDROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}, env).exit_code == 0);
  p.Add("2_b.up.sql", "SELECT nextval('canary');\nCREATE TABLE b (id int);\n");
  p.Add("2_b.down.sql", "DROP TABLE b;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);

  // The runner takes the lock, then waits on the snapshot table (its drift check) until this
  // transaction ends; meanwhile its row is freed by hand.
  pqxx::connection holder(db.url());
  pqxx::work hold(holder);
  hold.exec("LOCK TABLE migrate_schema IN ACCESS EXCLUSIVE MODE");
  ChildProcess a = StartMigrate({"run"}, p.dir().path(), env);
  bool locked = false;
  for (int i = 0; i < 400 && !locked; ++i) {
    std::this_thread::sleep_for(25ms);
    locked = db.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"1"};
  }
  REQUIRE(locked);
  ProcessResult unlock = p.Run({"unlock"}, env);
  INFO(unlock.err);
  CHECK(unlock.exit_code == 0);
  hold.commit();

  ProcessResult r = Wait(a);
  INFO(r.err);
  CHECK(r.exit_code == 5);
  CHECK_THAT(r.err, Catch::Contains("freed by 'migrate unlock'"));
  CHECK(db.Query("SELECT is_called::text FROM canary") == std::vector<std::string>{"false"});
  CHECK(db.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"1"});
}
