// Acceptance on real migration sets written for other tools (../shared/corpus, beside the
// repository; CI has it). Each set must build, apply, revert with down --all, and apply
// again to the same schema.
#include <catch2/catch.hpp>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> Schema(const Project& p) {
  return p.Query(
      "SELECT type || ' ' || name || ': ' || coalesce(sql, '') FROM sqlite_master "
      "WHERE name NOT LIKE 'migrate\\_%' ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
      "ORDER BY type, name");
}

}  // namespace

TEST_CASE("corpus: kratos-sqlite (694 migrations, 20-digit versions) round-trips",
          "[e2e][corpus]") {
  fs::path corpus = SharedDir() / "corpus/kratos-sqlite";
  if (!fs::exists(corpus)) {
    WARN("skipped: " << corpus << " is not present on this machine");
    return;
  }
  Project p("migrations = \"" + corpus.string() + "\"\n");
  ProcessResult build = p.Run({"--quiet", "build"});
  INFO(build.err);
  REQUIRE(build.exit_code == 0);

  ProcessResult up = p.Run({"--quiet", "run"});
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"694"});
  CHECK(p.Query("SELECT max(version) FROM migrate_history") ==
        std::vector<std::string>{"20260703000000000000"});
  std::vector<std::string> first = Schema(p);
  CHECK(first.size() > 50);
  CHECK(p.Run({"drift"}).exit_code == 0);
  std::vector<std::string> snapshot =
      p.Query("SELECT sha256 FROM migrate_schema ORDER BY id DESC LIMIT 1");
  REQUIRE(snapshot.size() == 1);

  ProcessResult down = p.Run({"--quiet", "down", "--all"});
  INFO(down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"0"});
  CHECK(Schema(p).empty());

  ProcessResult again = p.Run({"--quiet", "run"});
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(Schema(p) == first);
  CHECK(p.Query("SELECT sha256 FROM migrate_schema ORDER BY id DESC LIMIT 1") == snapshot);
  CHECK(p.Run({"drift"}).exit_code == 0);
  ProcessResult status = p.Run({"status"});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("694 applied, 0 pending"));
}

TEST_CASE("corpus: openmeter-postgres (269 golang-migrate files) round-trips on PostgreSQL",
          "[postgres][corpus]") {
  fs::path corpus = SharedDir() / "corpus/openmeter-postgres";
  if (!fs::exists(corpus)) {
    WARN("skipped: " << corpus << " is not present on this machine");
    return;
  }
  PgDatabase db;
  Project p("migrations = \"" + corpus.string() + "\"\ndialects = [\"postgres\"]\n");
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  ProcessResult build = p.Run({"--quiet", "build"}, env);
  INFO(build.err);
  REQUIRE(build.exit_code == 0);

  auto t0 = std::chrono::steady_clock::now();
  ProcessResult up = p.Run({"--quiet", "run"}, env);
  INFO(up.err);
  REQUIRE(up.exit_code == 0);
  auto up_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  CHECK(db.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"269"});
  std::string first = db.DumpSchema();
  ProcessResult drift = p.Run({"drift"}, env);
  INFO(drift.out);
  CHECK(drift.exit_code == 0);
  const std::string kNewest = "SELECT sha256 FROM migrate_schema ORDER BY id DESC LIMIT 1";
  std::vector<std::string> snapshot = db.Query(kNewest);
  REQUIRE(snapshot.size() == 1);

  ProcessResult down = p.Run({"--quiet", "down", "--all"}, env);
  INFO(down.err);
  REQUIRE(down.exit_code == 0);
  CHECK(db.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"0"});
  // SOURCE.md lists what the set's own downs leave behind; that is theirs, not ours.
  CHECK(db.Query("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT "
                 "LIKE 'migrate\\_%' AND tablename NOT LIKE 'om\\_migration\\_backup\\_%'") ==
        std::vector<std::string>{"0"});

  ProcessResult again = p.Run({"--quiet", "run"}, env);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(db.DumpSchema() == first);
  CHECK(db.Query(kNewest) == snapshot);
  CHECK(p.Run({"drift"}, env).exit_code == 0);
  WARN("openmeter-postgres: 269 migrations applied in " << up_s << " s");
}
