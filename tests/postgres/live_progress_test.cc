// Live progress of `run` on PostgreSQL (cli/live_output.h), end to end: on a terminal (a tmux
// pane read while migrate runs) an index build's phase and figures advance and a lock wait
// names the session holding the lock; with --json the same arrive as events, one a line.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include "e2e/project.h"
#include "support/json_lines.h"
#include "support/pg.h"
#include "support/tmux.h"

using namespace migrate::testing;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

struct PgProject {
  PgDatabase db;
  Project project{"dialects = [\"postgres\"]\n"};

  ProcessResult Run(std::vector<std::string> args) const {
    return project.Run(args, {{"DATABASE_URL", db.url()}});
  }
  void Add(const std::string& version_slug, const std::string& up) const {
    project.Add(version_slug + ".up.sql", up);
    project.Add(version_slug + ".down.sql", "SELECT 1;\n");
  }
};

bool Exited(const std::string& screen) {
  return screen.find("[migrate exited") != std::string::npos;
}

// The lines of `screen` that hold `text`.
std::vector<std::string> LinesWith(const std::string& screen, const std::string& text) {
  std::vector<std::string> found;
  std::istringstream in(screen);
  for (std::string line; std::getline(in, line);) {
    if (line.find(text) != std::string::npos) found.push_back(line);
  }
  return found;
}

// A login role allowed one connection at a time, dropped at the end.
struct LimitedRole {
  std::string name;
  explicit LimitedRole(const std::string& password) {
    static int counter = 0;
    name = "live_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    pqxx::connection admin(PgAdminUrl());
    pqxx::nontransaction q(admin);
    q.exec("CREATE ROLE " + name + " LOGIN CONNECTION LIMIT 1 PASSWORD " + q.quote(password));
  }
  ~LimitedRole() {
    try {
      pqxx::connection admin(PgAdminUrl());
      pqxx::nontransaction q(admin);
      q.exec("DROP ROLE IF EXISTS " + name);
    } catch (...) {
      // The cluster is thrown away at the end of scripts/test anyway.
    }
  }
};

// A table `t`, applied; and a migration that alters it, pending.
void AddLockedTable(PgProject& p) {
  p.Add("1_t", "CREATE TABLE t (id int);\n");
  p.Add("2_t_x", "ALTER TABLE t ADD COLUMN x int;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "1"}).exit_code == 0);
}

}  // namespace

TEST_CASE("postgres: on a terminal, CREATE INDEX CONCURRENTLY shows its phase and progress",
          "[postgres][e2e]") {
  PgProject p;
  // 6 million rows: the index build must outlast the probe's first half second and several
  // ticks even on an idle machine (3 million took 1.3 s there, one reading).
  p.Add("1_big",
        "CREATE TABLE big (id int, v int);\n"
        "INSERT INTO big SELECT g, (g::bigint * 7919) % 1000003"
        " FROM generate_series(1, 6000000) g;\n");
  p.Add("2_big_v", "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY big_v ON big (v);\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  TmuxTerminal term({"run"}, p.project.dir().path(), {{"DATABASE_URL", p.db.url()}});
  std::vector<std::string> screens = term.CaptureUntil(Exited, 120s, 100ms);
  INFO(screens.back());
  REQUIRE(Exited(screens.back()));
  const std::regex figures("(blocks|tuples) [0-9]+ of [0-9]+");
  const std::regex phase(
      "(initializing|waiting for [a-z ]+|building index: [a-z ]+|"
      "index validation: [a-z ]+)");
  std::set<std::string> readings;
  bool phase_seen = false;
  for (const std::string& screen : screens) {
    std::vector<std::string> live = LinesWith(screen, "applying ");
    CHECK(live.size() <= 1);  // never more than one line
    if (live.empty() || live[0].find("applying  2  big_v  ") == std::string::npos) continue;
    phase_seen |= std::regex_search(live[0], phase);
    std::smatch m;
    if (std::regex_search(live[0], m, figures)) readings.insert(m.str());
  }
  CHECK(phase_seen);
  CHECK(readings.size() >= 2);  // the figures advanced
  // Each live line was replaced by the migration's own line.
  CHECK(LinesWith(screens.back(), "applying ").empty());
  CHECK(LinesWith(screens.back(), "applied  2  big_v  (").size() == 1);
  CHECK_THAT(screens.back(),
             Catch::Contains("Applied 2 migration(s)") && Catch::Contains("[migrate exited 0]"));
}

TEST_CASE("postgres: on a terminal, a migration waiting for a lock names the pid holding it",
          "[postgres][e2e]") {
  PgProject p;
  AddLockedTable(p);
  pqxx::connection holder(p.db.url());
  pqxx::work tx(holder);
  tx.exec("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  std::string pid = tx.exec("SELECT pg_backend_pid()")[0][0].c_str();
  TmuxTerminal term({"run"}, p.project.dir().path(), {{"DATABASE_URL", p.db.url()}});
  const std::string held = "waiting for a lock held by pid " + pid + " for ";
  std::vector<std::string> waiting = term.CaptureUntil(
      [&](const std::string& s) { return s.find(held) != std::string::npos || Exited(s); }, 30s,
      100ms);
  tx.commit();
  INFO(waiting.back());
  std::vector<std::string> live = LinesWith(waiting.back(), "applying  2  t_x  ");
  REQUIRE(live.size() == 1);
  CHECK_THAT(live[0], Catch::Contains(held) && Catch::Contains("idle in transaction") &&
                          Catch::Contains("wants AccessExclusiveLock on t"));
  std::vector<std::string> done = term.CaptureUntil(Exited, 30s, 100ms);
  INFO(done.back());
  CHECK_THAT(done.back(), Catch::Contains("applied  2  t_x  (") &&
                              !Catch::Contains("waiting for a lock") &&
                              Catch::Contains("[migrate exited 0]"));
}

TEST_CASE("postgres: --json streams a lock wait as progress events naming the blocking pid",
          "[postgres][e2e]") {
  PgProject p;
  AddLockedTable(p);
  pqxx::connection holder(p.db.url());
  pqxx::work tx(holder);
  tx.exec("LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  int pid = tx.exec("SELECT pg_backend_pid()")[0][0].as<int>();
  ChildProcess child =
      StartMigrate({"--json", "run"}, p.project.dir().path(), {{"DATABASE_URL", p.db.url()}});
  bool waits = false;
  for (int i = 0; i < 300 && !waits; ++i) {
    std::this_thread::sleep_for(50ms);
    waits = p.db.Query(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = "
                "'migrate' AND wait_event_type = 'Lock'") == std::vector<std::string>{"1"};
  }
  CHECK(waits);
  std::this_thread::sleep_for(2500ms);  // at least one progress event while it waits
  tx.commit();
  ProcessResult r = Wait(child, 60);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  std::vector<json> lines = JsonLines(r.out);
  REQUIRE(lines.size() >= 4);
  CHECK(lines.front()["event"] == "started");
  CHECK(lines.front()["version"] == "2");
  CHECK(lines[lines.size() - 2]["event"] == "done");
  CHECK(lines.back()["event"] == "summary");
  CHECK(lines.back()["ok"] == true);
  bool named = false;
  for (const json& e : EventsOf(r.out, "progress")) {
    CHECK(e["version"] == "2");
    if (e["database"].is_null()) continue;
    for (const json& b : e["database"]["blockers"]) {
      named |= b["pid"] == pid && e["database"]["waiting_for"] == "AccessExclusiveLock on t" &&
               e["database"]["wait_event_type"] == "Lock" && b["held_s"].get<long long>() >= 0;
    }
  }
  CHECK(named);
}

TEST_CASE("postgres: --json gives started, progress, done, then failed with the error",
          "[postgres][e2e]") {
  PgProject p;
  p.Add("1_slow", "SELECT pg_sleep(2.5);\n");
  p.Add("2_bad", "CREATE TABLE made (id int);\nSELECT * FROM missing_table;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.Run({"--json", "run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  std::vector<json> lines = JsonLines(r.out);
  std::vector<std::string> events;
  for (const json& e : lines) {
    if (e["event"] != "progress")
      events.push_back(e["event"].get<std::string>() + " " + e.value("version", ""));
  }
  CHECK(events ==
        std::vector<std::string>{"started 1", "done 1", "started 2", "failed 2", "summary "});
  std::vector<json> progress = EventsOf(r.out, "progress");
  REQUIRE_FALSE(progress.empty());
  CHECK(progress[0]["version"] == "1");
  CHECK(progress[0]["elapsed_ms"].get<long long>() >= 1000);
  CHECK(progress[0]["database"]["wait_event"] == "PgSleep");
  json failed = EventsOf(r.out, "failed").at(0);
  CHECK(failed["error"]["exit"] == 1);
  CHECK(failed["error"]["sqlstate"] == "42P01");
  CHECK(failed["error"]["location"] == "2_bad.up.sql:2:15");
  CHECK_THAT(failed["error"]["message"].get<std::string>(), Catch::Contains("missing_table"));
  json summary = RunSummary(r.out);
  CHECK(summary["ok"] == false);
  CHECK(summary["error"]["exit"] == 1);
  CHECK_THAT(r.err, Catch::Contains("missing_table"));
}

TEST_CASE("postgres: a probe refused a connection costs one note, and the run goes on",
          "[postgres][e2e]") {
  // A role with one connection, owner of the database (dropped after it, by the destructors'
  // order): migrate's session takes it, the probe is refused.
  const std::string password = "L1ve-canary-7q";
  LimitedRole role(password);
  PgProject p;
  {
    pqxx::connection admin(PgAdminUrl());
    pqxx::nontransaction q(admin);
    q.exec("ALTER DATABASE " + p.db.name() + " OWNER TO " + role.name);
  }
  std::string url =
      "postgres://" + role.name + ":" + password + p.db.url().substr(p.db.url().find('@'));
  p.Add("1_slow", "SELECT pg_sleep(2.5);\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = p.project.Run({"--json", "run"}, {{"DATABASE_URL", url}});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(RunSummary(r.out)["ok"] == true);
  std::vector<json> progress = EventsOf(r.out, "progress");
  REQUIRE_FALSE(progress.empty());
  for (const json& e : progress) CHECK(e["database"].is_null());  // elapsed time only
  CHECK(LinesWith(r.err, "live progress from the database is off").size() == 1);
  CHECK_THAT(r.err, Catch::Contains("no connection to spare"));
  CHECK_THAT(r.out + r.err, !Catch::Contains(password));
}
