// A connection lost during COMMIT (docs/reliability.md): a TCP proxy between migrate and the
// PostgreSQL server cuts the connection when migrate sends a migration's COMMIT — once after
// the server received it (the commit landed, its answer never arrived) and once before (the
// server rolls back). Either way migrate cannot know: it must say so, exit 8, and never claim
// success or failure; the next run reads the history and ends with every migration applied
// exactly once.
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"
#include "support/tcp_proxy.h"

using namespace migrate::testing;

namespace {

void AddSet(const Project& p) {
  p.Add("1_counter.up.sql",
        "CREATE TABLE counter (migration text NOT NULL);\n"
        "INSERT INTO counter VALUES ('1');\n");
  p.Add("1_counter.down.sql", "DROP TABLE counter;\n");
  p.Add("2_b.up.sql", "CREATE TABLE b_in_doubt (id integer);\nINSERT INTO counter VALUES ('2');\n");
  p.Add("2_b.down.sql", "DROP TABLE b_in_doubt;\n");
  p.Add("3_c.up.sql", "CREATE TABLE c (id integer);\nINSERT INTO counter VALUES ('3');\n");
  p.Add("3_c.down.sql", "DROP TABLE c;\n");
}

// Cuts the connection at migration 2's COMMIT, then reruns directly; returns whether the
// cut run's commit landed (migration 2 in the history before the rerun).
bool CutAtCommitThenRerun(bool server_receives_commit) {
  PgDatabase db;
  TcpProxy proxy(db.url());
  Project p("dialects = [\"postgres\"]\n");
  AddSet(p);
  // A short lease: the cut runner cannot release its lock row.
  WriteFile(p / "config.toml",
            "[project]\ndialects = [\"postgres\"]\ndefault_env = \"local\"\n"
            "[environments.local]\nurl = \"${DATABASE_URL}\"\nlease = \"2s\"\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  proxy.CutAfter("CREATE TABLE b_in_doubt", "COMMIT", server_receives_commit);
  ProcessResult cut = p.Run({"run"}, {{"DATABASE_URL", proxy.url()}});
  INFO(cut.out << cut.err);
  CHECK(proxy.cuts() == 1);
  CHECK(cut.exit_code == 8);
  CHECK(cut.err.find("2_b.up.sql: the connection broke during COMMIT, so whether it applied "
                     "is unknown") != std::string::npos);
  // libpqxx's own warning repeats that, as if it came from the server: not shown.
  CHECK(cut.err.find("Connection lost while committing") == std::string::npos);
  CHECK(cut.out.find("3_c") == std::string::npos);  // nothing after it ran
  bool landed = db.Query("SELECT count(*) FROM migrate_history WHERE version = '2'") ==
                std::vector<std::string>{"1"};
  CHECK(db.Query("SELECT count(*) FROM pg_tables WHERE tablename = 'b_in_doubt'") ==
        std::vector<std::string>{landed ? "1" : "0"});

  ProcessResult again = p.Run({"--lock-wait", "30s", "run"}, {{"DATABASE_URL", db.url()}});
  INFO(again.out << again.err);
  CHECK(again.exit_code == 0);
  CHECK(db.Query("SELECT string_agg(migration, ',' ORDER BY migration) FROM counter") ==
        std::vector<std::string>{"1,2,3"});
  CHECK(db.Query("SELECT count(*) FROM migrate_history WHERE state = 'applied'") ==
        std::vector<std::string>{"3"});
  CHECK(p.Run({"status"}, {{"DATABASE_URL", db.url()}}).exit_code == 0);
  return landed;
}

}  // namespace

TEST_CASE("faults: a connection lost after the server received COMMIT: in doubt, then resolved",
          "[faults][postgres]") {
  CHECK(CutAtCommitThenRerun(true));
}

TEST_CASE("faults: a connection lost before the server received COMMIT: in doubt, then applied",
          "[faults][postgres]") {
  CHECK_FALSE(CutAtCommitThenRerun(false));
}
