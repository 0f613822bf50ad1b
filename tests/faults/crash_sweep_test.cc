// The crash-point sweep (docs/reliability.md): for every crash point of the run protocol and
// every time a run reaches it, a `migrate run` kills itself there (SIGKILL, through the
// MIGRATE_CRASH_AT seam of fault.h), then a new run recovers. Each time the end state must be
// the clean run's: every migration applied exactly once (a counter row each), the history
// complete, no lock row, the same schema. Real SQLite files and the real PostgreSQL server.
// Only in builds with the crash points (MIGRATE_FAULTS, as scripts/build makes them).
#ifdef MIGRATE_FAULTS
#include <SQLiteCpp/SQLiteCpp.h>
#include <signal.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <memory>
#include <thread>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// Transactional and no-transaction migrations mixed; the no-transaction one is idempotent,
// so after a crash inside it `repair 3 --forget` and a rerun are the right recovery.
void AddSet(const Project& p) {
  p.Add("1_counter.up.sql",
        "CREATE TABLE counter (migration text NOT NULL, n integer NOT NULL);\n"
        "INSERT INTO counter VALUES ('1', 1);\n");
  p.Add("1_counter.down.sql", "DROP TABLE counter;\n");
  p.Add("2_b.up.sql", "CREATE TABLE b (id integer);\nINSERT INTO counter VALUES ('2', 1);\n");
  p.Add("2_b.down.sql", "DROP TABLE b;\n");
  p.Add("3_c.up.sql",
        "-- migrate:no-transaction\nCREATE TABLE IF NOT EXISTS c (id integer);\n"
        "INSERT INTO counter SELECT '3', 1 WHERE NOT EXISTS "
        "(SELECT 1 FROM counter WHERE migration = '3');\n"
        "CREATE INDEX IF NOT EXISTS c_id ON c (id);\n");
  p.Add("3_c.down.sql", "DROP TABLE c;\n");
  p.Add("4_d.up.sql", "INSERT INTO counter VALUES ('4', 1);\nCREATE TABLE d (id integer);\n");
  p.Add("4_d.down.sql", "DROP TABLE d;\n");
}

// The crashing run leases the lock for 300 ms, so the recovering run (default lease) waits
// little for the lock row a killed SQLite runner leaves.
void WriteConfig(const Project& p, const std::string& dialect, const std::string& url) {
  WriteFile(p / "config.toml", "[project]\ndialects = [\"" + dialect +
                                   "\"]\ndefault_env = \"local\"\n[environments.local]\nurl = \"" +
                                   url + "\"\n[environments.crash]\nurl = \"" + url +
                                   "\"\nlease = \"300ms\"\n");
  // It holds the server's password: readable by its owner only, or it is refused.
  fs::permissions(p / "config.toml", fs::perms::owner_read | fs::perms::owner_write);
}

// One database under test: how to make it new, query it, and describe its schema.
struct Target {
  std::function<void()> reset;
  std::function<std::vector<std::string>(const std::string&)> query;
  std::function<std::string()> schema;
  std::map<std::string, std::string> env;
  std::string live_lock;  // counts the lock rows whose lease has not ended
  int stride = 1;         // crash at every `stride`-th time a point is reached (1: every time)
};

bool Slow() {
  const char* slow = std::getenv("MIGRATE_TEST_SLOW");
  return slow && std::string(slow) == "1";
}

const std::vector<std::string> kPoints = {"locked",         "before-step",     "after-statement",
                                          "before-commit",  "after-commit",    "after-started",
                                          "after-progress", "before-snapshot", "before-release"};

// Runs again until the database is complete, repairing the interrupted no-transaction
// migration the way its idempotent SQL allows.
void Recover(const Project& p, const Target& t) {
  ProcessResult again = p.Run({"--lock-wait", "30s", "run"}, t.env);
  if (again.exit_code == 6) {
    REQUIRE(p.Run({"repair", "3", "--forget"}, t.env).exit_code == 0);
    again = p.Run({"--lock-wait", "30s", "run"}, t.env);
  }
  INFO(again.out << again.err);
  REQUIRE(again.exit_code == 0);
}

void CheckExactlyOnce(const Project& p, const Target& t, const std::string& clean_schema) {
  CHECK(t.query("SELECT migration || ':' || count(*) FROM counter GROUP BY migration "
                "ORDER BY migration") == std::vector<std::string>{"1:1", "2:1", "3:1", "4:1"});
  CHECK(t.query("SELECT count(*) FROM migrate_history WHERE state = 'applied'") ==
        std::vector<std::string>{"4"});
  // A killed runner's row stays until its 300 ms lease ends (a no-op rerun writes nothing);
  // no holder outlives its lease.
  if (t.query(t.live_lock) != std::vector<std::string>{"0"}) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
  }
  CHECK(t.query(t.live_lock) == std::vector<std::string>{"0"});
  CHECK(t.schema() == clean_schema);
  CHECK(p.Run({"status"}, t.env).exit_code == 0);
}

// Returns how many crashes the sweep made.
int Sweep(const Project& p, const Target& t) {
  t.reset();
  REQUIRE(p.Run({"run"}, t.env).exit_code == 0);
  std::string clean = t.schema();
  int crashes = 0;
  for (const std::string& point : kPoints) {
    int here = 0;
    for (int k = 1; k < 50; k += t.stride) {
      t.reset();
      std::map<std::string, std::string> env = t.env;
      env["MIGRATE_CRASH_AT"] = point + ":" + std::to_string(k);
      ProcessResult crashed = p.Run({"--env", "crash", "run"}, env);
      if (crashed.exit_code == 0) break;  // the run reaches this point fewer than k times
      INFO(point << ":" << k << "\n" << crashed.out << crashed.err);
      REQUIRE(crashed.exit_code == 128 + SIGKILL);
      ++here;
      Recover(p, t);
      CheckExactlyOnce(p, t, clean);
    }
    INFO(point);
    CHECK(here > 0);  // every point is on the path, and compiled in
    crashes += here;
  }
  return crashes;
}

}  // namespace

TEST_CASE("faults: a crash at every point of a SQLite run, then a rerun: exactly once",
          "[faults][sqlite]") {
  Project p;
  AddSet(p);
  WriteConfig(p, "sqlite", "sqlite:test.db");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  Target t;
  t.reset = [&] {
    for (const char* f : {"test.db", "test.db-journal", "test.db-wal", "test.db-shm"})
      fs::remove(p / f);
  };
  t.query = [&](const std::string& sql) { return p.Query(sql); };
  t.live_lock =
      "SELECT count(*) FROM migrate_lock WHERE expires_at > strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  t.schema = [&] {
    std::string s;
    for (const std::string& row : p.Query("SELECT type || ' ' || name || ' ' || coalesce(sql, '') "
                                          "FROM sqlite_master WHERE name NOT LIKE 'migrate%' "
                                          "ORDER BY name"))
      s += row + "\n";
    return s + p.Query("PRAGMA integrity_check")[0];
  };
  int crashes = Sweep(p, t);
  WARN(crashes << " crashes, each recovered exactly once");
  CHECK(crashes >= 25);
}

TEST_CASE("faults: a crash at every point of a PostgreSQL run, then a rerun: exactly once",
          "[faults][postgres]") {
  Project p;
  AddSet(p);
  WriteConfig(p, "postgres", "${DATABASE_URL}");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::unique_ptr<PgDatabase> db;
  Target t;
  t.reset = [&] {
    db.reset();
    db = std::make_unique<PgDatabase>();
    t.env = {{"DATABASE_URL", db->url()}};
  };
  t.query = [&](const std::string& sql) { return db->Query(sql); };
  t.live_lock = "SELECT count(*) FROM migrate_lock WHERE expires_at > now()";
  t.schema = [&] { return db->DumpSchema(); };
  // Every point; in CI every other time it is reached (a new database and a pg_dump per
  // crash make this the suite's longest test), every time with MIGRATE_TEST_SLOW=1.
  t.stride = Slow() ? 1 : 2;
  t.reset();
  int crashes = Sweep(p, t);
  WARN(crashes << " crashes, each recovered exactly once");
  CHECK(crashes >= (Slow() ? 25 : 14));
}

TEST_CASE("faults: a build killed while it writes leaves the previous bundle whole",
          "[faults][sqlite]") {
  Project p;
  AddSet(p);
  WriteConfig(p, "sqlite", "sqlite:test.db");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::string before = ReadFile(p / "dist/migrations/manifest.toml");
  p.Add("5_e.up.sql", "CREATE TABLE e (id integer);\n");
  p.Add("5_e.down.sql", "DROP TABLE e;\n");
  ProcessResult written = p.Run({"build"}, {{"MIGRATE_CRASH_AT", "bundle-written"}});
  CHECK(written.exit_code == 128 + SIGKILL);
  CHECK(ReadFile(p / "dist/migrations/manifest.toml") == before);
  CHECK(p.Run({"build", "--check"}).exit_code == 3);  // stale, and whole: it says so
  ProcessResult run_old = p.Run({"run"});
  CHECK(run_old.exit_code == 0);
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"4"});
  ProcessResult published = p.Run({"build"}, {{"MIGRATE_CRASH_AT", "bundle-published"}});
  CHECK(published.exit_code == 128 + SIGKILL);
  CHECK(p.Run({"build", "--check"}).exit_code == 0);  // the new bundle is in place, whole
  CHECK(p.Run({"run"}).exit_code == 0);
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"5"});
  CHECK(p.Run({"build"}).exit_code == 0);  // and the next build cleans up after it
}
#endif  // MIGRATE_FAULTS
