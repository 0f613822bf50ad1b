// `migrate import --from TOOL DIR` end to end: a real golang-migrate set (the openmeter corpus,
// read in place) becomes a project that builds; the error paths write nothing.
#include <catch2/catch.hpp>

#include "e2e/project.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

TEST_CASE("e2e: import --from golang-migrate of a real set gives a project that builds", "[e2e]") {
  Project p("dialects = [\"postgres\"]\n");
  fs::path corpus = SharedDir() / "corpus/openmeter-postgres";
  ProcessResult r = p.Run({"import", "--from", "golang-migrate", corpus.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("Imported 269 migration(s) (538 files)"));
  CHECK(ReadFile(p / "migrations/20240826120919_init.up.sql") ==
        ReadFile(corpus / "20240826120919_init.up.sql"));
  ProcessResult build = p.Run({"build", "--no-rehearse"});
  INFO(build.err);
  CHECK(build.exit_code == 0);

  // Again: every file exists already, so nothing is written.
  std::map<std::string, std::string> before = Snapshot(p / "migrations");
  ProcessResult again = p.Run({"import", "--from", "golang-migrate", corpus.string()});
  CHECK(again.exit_code == 2);
  CHECK_THAT(again.err, Catch::Contains("exists already: nothing was written"));
  CHECK(Snapshot(p / "migrations") == before);
}

TEST_CASE("e2e: import refuses an unknown tool, a missing folder and an unconvertible set",
          "[e2e]") {
  Project p;
  ProcessResult tool = p.Run({"import", "--from", "liquibase", "."});
  CHECK(tool.exit_code == 2);
  CHECK_THAT(tool.err, Catch::Contains("golang-migrate, dbmate, goose, flyway, typeorm"));
  CHECK(p.Run({"import", "--from", "dbmate", "no-such-dir"}).exit_code == 2);

  WriteFile(p / "flyway/V1__init.sql", "CREATE TABLE a (id int);\n");
  WriteFile(p / "flyway/U2__gone.sql", "DROP TABLE b;\n");
  ProcessResult stray = p.Run({"import", "--from", "flyway", "flyway"});
  CHECK(stray.exit_code == 3);
  CHECK_THAT(stray.err, Catch::Contains("flyway/U2__gone.sql: error[import-error]: an undo without "
                                        "its V file") &&
                            Catch::Contains("nothing was written"));
  CHECK(fs::is_empty(p / "migrations"));

  WriteFile(p / "dbmate/20240101000000_users.sql",
            "-- migrate:up\nCREATE TABLE users (id int);\n-- migrate:down\nDROP TABLE users;\n");
  ProcessResult ok = p.Run({"import", "--from", "dbmate", "dbmate"});
  CHECK(ok.exit_code == 0);
  CHECK(p.Run({"build"}).exit_code == 0);
  CHECK(p.Run({"run"}).exit_code == 0);
  CHECK(p.Tables() == std::vector<std::string>{"users"});
}
