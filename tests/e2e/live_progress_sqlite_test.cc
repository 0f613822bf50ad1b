// Live progress of `run` on SQLite (cli/live_output.h): --json streams one event a line and
// ends with the summary, also on failure; a run whose stdout is not a terminal prints what it
// always printed, and nothing else.
#include <catch2/catch.hpp>
#include <regex>

#include "e2e/project.h"
#include "support/json_lines.h"

using namespace migrate::testing;
using nlohmann::json;

namespace {

void AddTwo(const Project& p) {
  p.Add("1_a.up.sql", "CREATE TABLE a (id INTEGER);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  p.Add("2_b.up.sql", "CREATE TABLE b (id INTEGER);\n");
  p.Add("2_b.down.sql", "DROP TABLE b;\n");
}

}  // namespace

TEST_CASE("e2e: run --json gives one event a line, then the summary line", "[e2e][sqlite]") {
  Project p;
  AddTwo(p);
  p.Add("3_bad.up.sql", "CREATE TABLE c (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n");
  p.Add("3_bad.down.sql", "DROP TABLE c;\n");
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);  // the rehearsal would refuse 3
  ProcessResult ok = p.Run({"--json", "run", "--to", "2"});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  std::vector<json> lines = JsonLines(ok.out);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0]["event"] == "started");
  CHECK(lines[0]["version"] == "1");
  CHECK(lines[0]["file"] == "1_a.up.sql");
  CHECK(lines[1]["event"] == "done");
  CHECK(lines[1]["version"] == "1");
  CHECK(lines[1]["duration_ms"].is_number());
  CHECK(lines[2]["event"] == "started");
  CHECK(lines[3]["event"] == "done");
  CHECK(lines[3]["version"] == "2");
  json summary = RunSummary(ok.out);
  CHECK(summary["ok"] == true);
  CHECK(summary["steps"].size() == 2);

  ProcessResult bad = p.Run({"--json", "run"});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  std::vector<json> failed = EventsOf(bad.out, "failed");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["version"] == "3");
  CHECK(failed[0]["error"]["exit"] == 1);
  CHECK(failed[0]["error"]["location"] == "3_bad.up.sql:2:1");
  CHECK_THAT(failed[0]["error"]["message"].get<std::string>(), Catch::Contains("nowhere"));
  json end = RunSummary(bad.out);
  CHECK(end["ok"] == false);
  CHECK(end["error"]["code"] == failed[0]["error"]["code"]);
  CHECK_THAT(bad.err, Catch::Contains("nowhere"));

  // A failure before any migration (drift: an applied file changed) ends the same way.
  p.Add("1_a.up.sql", "CREATE TABLE a (id INTEGER, changed INTEGER);\n");
  REQUIRE(p.Run({"build", "--no-rehearse"}).exit_code == 0);
  ProcessResult drift = p.Run({"--json", "run"});
  CHECK(drift.exit_code == 4);
  REQUIRE(JsonLines(drift.out).size() == 1);
  CHECK(RunSummary(drift.out)["error"]["exit"] == 4);
}

TEST_CASE("e2e: a run whose stdout is not a terminal prints its lines and nothing else",
          "[e2e][sqlite]") {
  Project p;
  AddTwo(p);
  p.Add("3_slow.up.sql",
        "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < 2000000) SELECT count(*) AS n FROM c;\n");
  p.Add("3_slow.down.sql", "DROP TABLE slow;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  const std::regex expected(
      "  applied  1  a  \\((<1|[0-9]+) ms\\)\n"
      "  applied  2  b  \\((<1|[0-9]+) ms\\)\n"
      "  applied  3  slow  \\((<1|[0-9]+) ms\\)\n"
      "Applied 3 migration\\(s\\) in [0-9]+ ms\\.\n");
  CHECK(std::regex_match(r.out, expected));
  CHECK(r.err.empty());
  CHECK(p.Run({"down", "--all"}).out.find('\r') == std::string::npos);
}
