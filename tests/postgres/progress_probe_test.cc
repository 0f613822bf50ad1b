// The PostgreSQL ProgressProbe (drivers/postgres/postgres_progress.h) against the real server:
// what it reads of a step waiting for a lock, and how it fails when it cannot connect.
#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "migrate/driver.h"
#include "migrate/lock.h"
#include "migrate/planner.h"
#include "postgres/postgres_driver.h"
#include "postgres/postgres_progress.h"
#include "support/pg.h"

using namespace migrate;
using namespace migrate::testing;
using namespace std::chrono_literals;

namespace {

Step UpStep(const Driver& driver, const std::string& version, const std::string& sql) {
  ManifestEntry entry{version, "s" + version, "migrations", {}};
  ManifestFile f;
  f.name = version + "_s" + version + ".up.sql";
  f.sha256 = "sum" + version;
  entry.files.push_back(f);
  Step s = MakeStep({&entry, &entry.files[0], Direction::kUp, nullptr, ""}, sql,
                    driver.GetDialect(), {});
  s.tool_version = "migrate test";
  return s;
}

}  // namespace

TEST_CASE("postgres: the probe names the session holding the lock a step waits for", "[postgres]") {
  PgDatabase db;
  auto d = postgres::OpenPostgres({db.url(), TableNames{}});
  d->EnsureMetadata();
  LockRequest me = MakeLockRequest(60s);
  REQUIRE(d->TryLock(me).acquired);
  d->Apply(UpStep(*d, "1", "CREATE TABLE t (id int);"), me);

  pqxx::connection holder(db.url());
  pqxx::work tx(holder);
  tx.exec("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  int holder_pid = tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
  std::string failed;
  std::thread step([&] {
    try {
      d->Apply(UpStep(*d, "2", "ALTER TABLE t ADD COLUMN x int;"), me);
    } catch (const std::exception& e) {
      failed = e.what();
    }
  });
  std::unique_ptr<ProgressProbe> probe = d->OpenProgressProbe();
  REQUIRE(probe != nullptr);
  StatementProgress seen;
  for (int i = 0; i < 250 && seen.blockers.empty(); ++i) {
    std::this_thread::sleep_for(20ms);
    seen = probe->Read();
  }
  tx.commit();
  step.join();
  CHECK(failed.empty());
  CHECK(seen.state == "active");
  CHECK(seen.wait_event_type == "Lock");
  CHECK(seen.wait_event == "relation");
  CHECK(seen.waiting_for == "AccessExclusiveLock on t");
  REQUIRE(seen.blockers.size() == 1);
  CHECK(seen.blockers[0].pid == holder_pid);
  CHECK(seen.blockers[0].state == "idle in transaction");
  CHECK(seen.blockers[0].held_s >= 0);
  CHECK(seen.blockers[0].query_start.size() == 24);  // ISO 8601 UTC with milliseconds
  CHECK(d->ReadHistory().size() == 2);
  d->ReleaseLock(me);
}

TEST_CASE("postgres: a probe that cannot connect throws Error(kConnection), no password",
          "[postgres]") {
  PgDatabase db;
  const std::string password = "Pr0be-canary-91x";
  const std::string role = "probe_" + db.name();
  {
    pqxx::connection admin(PgAdminUrl());
    pqxx::nontransaction q(admin);
    q.exec("CREATE ROLE " + role + " LOGIN CONNECTION LIMIT 1 PASSWORD " + q.quote(password));
  }
  std::string url = "postgres://" + role + ":" + password + db.url().substr(db.url().find('@'));
  {
    auto d = postgres::OpenPostgres({url, TableNames{}});  // the role's one connection
    std::unique_ptr<ProgressProbe> probe = d->OpenProgressProbe();
    REQUIRE(probe != nullptr);
    try {
      probe->Read();
      FAIL("expected the probe's connection to be refused");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kConnection);
      CHECK_THAT(e.what(), Catch::Contains("too many connections") && !Catch::Contains(password) &&
                               Catch::Contains("***"));
    }
    CHECK(d->ReadHistory().empty());  // the driver's own session is unaffected
  }
  pqxx::connection admin(PgAdminUrl());
  pqxx::nontransaction q(admin);
  q.exec("DROP ROLE IF EXISTS " + role);
}

TEST_CASE("postgres: the probe's query reads index builds from PostgreSQL 12 on", "[unit]") {
  SqlCommand v15 = postgres::ProgressQuery(4242, 150002);
  CHECK(v15.params == std::vector<std::optional<std::string>>{"4242"});
  CHECK_THAT(v15.text, Catch::Contains("pg_stat_progress_create_index") &&
                           Catch::Contains("pg_blocking_pids(a.pid)") &&
                           Catch::Contains("WHERE a.pid = $1"));
  CHECK_THAT(postgres::ProgressQuery(4242, 110000).text,
             !Catch::Contains("pg_stat_progress_create_index"));
}
