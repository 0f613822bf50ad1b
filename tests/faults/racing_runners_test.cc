// Racing runners (docs/reliability.md): 16 `migrate run` processes started together on one
// database, round after round on a new database; each migration inserts a counter row. Every
// migration must be applied exactly once, every process exit 0 (or 5 after its lock wait),
// and no lock be left held. 3 rounds in scripts/test, 20 with scripts/test --slow
// (MIGRATE_TEST_SLOW=1). Real SQLite files and the real PostgreSQL server.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <functional>
#include <memory>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

constexpr int kRunners = 16;
constexpr int kMigrations = 6;

int Rounds() {
  const char* slow = std::getenv("MIGRATE_TEST_SLOW");
  return slow && std::string(slow) == "1" ? 20 : 3;
}

void AddCounted(const Project& p) {
  p.Add("1_counter.up.sql",
        "CREATE TABLE counter (migration text NOT NULL);\nINSERT INTO counter VALUES ('1');\n");
  p.Add("1_counter.down.sql", "DROP TABLE counter;\n");
  for (int i = 2; i <= kMigrations; ++i) {
    std::string v = std::to_string(i);
    p.Add(v + "_m" + v + ".up.sql", "CREATE TABLE t" + v + " (id integer);\n" +
                                        "INSERT INTO counter VALUES ('" + v + "');\n");
    p.Add(v + "_m" + v + ".down.sql", "DROP TABLE t" + v + ";\n");
  }
}

// Starts kRunners runs at once and checks the outcome. Returns how many exited 5.
int Race(const Project& p, const std::map<std::string, std::string>& env,
         const std::function<std::vector<std::string>(const std::string&)>& query) {
  std::vector<ChildProcess> children;
  for (int i = 0; i < kRunners; ++i) {
    children.push_back(StartMigrate({"--lock-wait", "60s", "run"}, p.dir().path(), env));
  }
  int waited_out = 0;
  for (ChildProcess& child : children) {
    ProcessResult r = Wait(child);
    INFO(r.out << r.err);
    CHECK((r.exit_code == 0 || r.exit_code == 5));
    waited_out += r.exit_code == 5;
  }
  CHECK(query("SELECT count(*) FROM counter") == std::vector<std::string>{"6"});
  CHECK(query("SELECT count(DISTINCT migration) FROM counter") == std::vector<std::string>{"6"});
  CHECK(query("SELECT count(*) FROM migrate_history WHERE state = 'applied'") ==
        std::vector<std::string>{"6"});
  CHECK(query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  return waited_out;
}

}  // namespace

TEST_CASE("faults: 16 racing runners on SQLite apply every migration exactly once",
          "[faults][sqlite]") {
  Project p("default_env = \"local\"\n");
  AddCounted(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    for (const char* f : {"test.db", "test.db-journal", "test.db-wal", "test.db-shm"})
      fs::remove(p / f);
    Race(p, {}, [&](const std::string& sql) { return p.Query(sql); });
  }
  WARN(rounds << " rounds of " << kRunners << " runners");
}

TEST_CASE("faults: 16 racing runners on PostgreSQL apply every migration exactly once",
          "[faults][postgres]") {
  Project p("dialects = [\"postgres\"]\n");
  AddCounted(p);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  int rounds = Rounds();
  for (int round = 0; round < rounds; ++round) {
    PgDatabase db;
    Race(p, {{"DATABASE_URL", db.url()}}, [&](const std::string& sql) { return db.Query(sql); });
  }
  WARN(rounds << " rounds of " << kRunners << " runners");
}
