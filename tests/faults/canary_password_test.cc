// A canary password (docs/reliability.md): a real role whose password has characters a URL
// must escape logs in through the URL given with --database, in config.toml and in
// DATABASE_URL, and every command runs: the successes, and each failure path (a bad
// statement, a lock held, drift, a tampered bundle, a wrong password, no server, no database,
// a signal, a connection cut at COMMIT). The password, escaped or not, appears in no output,
// no file migrate writes and no row of the database.
#include <signal.h>

#include <catch2/catch.hpp>
#include <pqxx/pqxx>
#include <thread>

#include "e2e/project.h"
#include "support/pg.h"
#include "support/tcp_proxy.h"

using namespace migrate::testing;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kPassword = "Cy@n/ry:Q7z#pw";
const std::string kEscaped = "Cy%40n%2Fry%3AQ7z%23pw";
const std::vector<std::string> kForms = {kPassword, kEscaped, "Q7z#pw", "Q7z%23pw"};

// A login role with the canary password, owner of `db`, dropped at the end.
class CanaryRole {
 public:
  explicit CanaryRole(const PgDatabase& db) : name_("canary_" + db.name()) {
    pqxx::connection admin(PgAdminUrl());
    pqxx::nontransaction q(admin);
    q.exec("CREATE ROLE " + name_ + " LOGIN CREATEDB PASSWORD " + q.quote(kPassword));
    q.exec("ALTER DATABASE " + db.name() + " OWNER TO " + name_);
    url_ = "postgres://" + name_ + ":" + kEscaped + db.url().substr(db.url().find('@'));
  }
  ~CanaryRole() {
    try {
      pqxx::connection admin(PgAdminUrl());
      pqxx::nontransaction q(admin);
      q.exec("DROP DATABASE IF EXISTS " + url_.substr(url_.rfind('/') + 1) + " WITH (FORCE)");
      q.exec("DROP ROLE IF EXISTS " + name_);
    } catch (...) {
      // The cluster is thrown away at the end of scripts/test anyway.
    }
  }
  CanaryRole(const CanaryRole&) = delete;
  CanaryRole& operator=(const CanaryRole&) = delete;

  const std::string& url() const { return url_; }

 private:
  std::string name_;
  std::string url_;
};

void CheckClean(const std::string& where, const std::string& text) {
  for (const std::string& form : kForms) {
    INFO(where << " holds " << form << ":\n" << text);
    CHECK(text.find(form) == std::string::npos);
  }
}

struct Canary {
  PgDatabase db;
  CanaryRole role{db};
  Project p{"dialects = [\"postgres\"]\n"};
  int runs = 0;

  // Runs migrate with the canary URL given `way`: "flag", "config" or "env".
  ProcessResult Run(std::vector<std::string> args, const std::string& way, int expect) {
    std::map<std::string, std::string> env;
    if (way == "flag") args.insert(args.begin(), {"--database", role.url()});
    if (way == "env") env["DATABASE_URL"] = role.url();
    WriteFile(p / "config.toml",
              "[project]\ndialects = [\"postgres\"]\n[environments.local]\n"
              "url = \"" +
                  (way == "config" ? role.url() : "sqlite:x.db") + "\"\nlease = \"2s\"\n");
    // Holding the password, it must be readable by its owner only, or it is refused.
    fs::permissions(p / "config.toml", fs::perms::owner_read | fs::perms::owner_write);
    ProcessResult r = p.Run(args, env);
    Check(r, args, expect);
    return r;
  }
  void Check(const ProcessResult& r, const std::vector<std::string>& args, int expect) {
    std::string line;
    for (const std::string& a : args) line += a + " ";
    INFO(line << "\n" << r.out << r.err);
    CHECK(r.exit_code == expect);
    CheckClean(line, r.out + r.err);
    ++runs;
  }
  void Add(const std::string& version_slug, const std::string& up, const std::string& down) {
    p.Add(version_slug + ".up.sql", up);
    p.Add(version_slug + ".down.sql", down);
    REQUIRE(p.Run({"build"}).exit_code == 0);
  }
  void Drop(const std::string& version_slug) {
    fs::remove(p / ("migrations/" + version_slug + ".up.sql"));
    fs::remove(p / ("migrations/" + version_slug + ".down.sql"));
    REQUIRE(p.Run({"build"}).exit_code == 0);
  }
};

// Every command that succeeds, for one way of giving the URL.
void Successes(Canary& c, const std::string& way) {
  c.Run({"run"}, way, 0);
  c.Run({"status"}, way, 0);
  c.Run({"--json", "status"}, way, 0);
  c.Run({"plan"}, way, 0);
  c.Run({"drift"}, way, 0);
  c.Run({"down", "--all"}, way, 0);
  c.Run({"run", "--dry-run"}, way, 0);
  c.Run({"--json", "run"}, way, 0);
  c.Run({"unlock"}, way, 0);
}

// A run holding the lock in pg_sleep: a second runner gives up (5), SIGTERM cancels it (130).
void LockAndSignal(Canary& c) {
  c.Add("3_slow", "SELECT pg_sleep(30);\n", "SELECT 1;\n");
  ChildProcess slow = StartMigrate({"run"}, c.p.dir().path(), {{"DATABASE_URL", c.role.url()}});
  std::this_thread::sleep_for(1500ms);
  c.Run({"--lock-wait", "1s", "run"}, "env", 5);
  ::kill(slow.pid, SIGTERM);
  c.Check(Wait(slow), {"run (SIGTERM)"}, 130);
  c.Drop("3_slow");
}

void Failures(Canary& c) {
  std::string wrong = c.role.url();
  wrong.replace(wrong.find(kEscaped), kEscaped.size(), "Q7z%23pwX");
  c.Check(c.p.Run({"run"}, {{"DATABASE_URL", wrong}}), {"run (wrong password)"}, 8);
  std::string no_db = c.role.url().substr(0, c.role.url().rfind('/')) + "/no_such_db";
  c.Run({"--database", no_db, "status"}, "config", 8);
  std::string no_server = c.role.url().substr(0, c.role.url().find('@')) + "@127.0.0.1:1/x";
  c.Check(c.p.Run({"status"}, {{"DATABASE_URL", no_server}}), {"status (no server)"}, 8);

  c.Add("3_bad", "INSERT INTO nope VALUES (1);\n", "SELECT 1;\n");
  c.Run({"run"}, "env", 1);
  c.Drop("3_bad");
  LockAndSignal(c);

  c.db.Query("CREATE TABLE by_hand (x int)");
  c.Run({"drift"}, "flag", 4);
  c.Add("3_next", "CREATE TABLE next (x int);\n", "DROP TABLE next;\n");
  c.Run({"run"}, "env", 4);  // a run with work to do checks the live schema first
  c.Drop("3_next");
  c.db.Query("DROP TABLE by_hand");

  std::string file = (c.p / "dist/migrations/9_stray.up.sql").string();
  WriteFile(file, "SELECT 1;\n");  // a no-op checks the folder's names (an edit: when it runs)
  c.Run({"run"}, "config", 7);
  fs::remove(file);

  TcpProxy proxy(c.role.url());
  c.Add("3_cut", "CREATE TABLE cut_marker (x int);\n", "DROP TABLE cut_marker;\n");
  proxy.CutAfter("CREATE TABLE cut_marker", "COMMIT", true);
  c.Check(c.p.Run({"run"}, {{"DATABASE_URL", proxy.url()}}), {"run (cut at COMMIT)"}, 8);
  std::this_thread::sleep_for(2500ms);  // the cut runner's lease ends
  c.Run({"run"}, "env", 0);
}

}  // namespace

TEST_CASE("faults: a canary password appears in no output, file or row", "[faults][postgres]") {
  Canary c;
  c.Add("1_a", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
  c.Add("2_b", "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n", "DROP TABLE b;\n");
  for (const std::string way : {"flag", "config", "env"}) {
    c.Run({"down", "--all"}, way, 0);
    Successes(c, way);
  }
  c.Run({"verify", "--dev-url", c.role.url()}, "config", 0);
  Failures(c);

  for (const auto& [name, bytes] : Snapshot(c.p.dir().path())) {
    if (name != "config.toml") CheckClean(name, bytes);
  }
  std::string rows;
  for (const std::string& table :
       c.db.Query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")) {
    for (const std::string& row : c.db.Query("SELECT t::text FROM " + table + " t")) {
      rows += table + ": " + row + "\n";
    }
  }
  CHECK_THAT(rows, Catch::Contains("migrate_history"));
  CheckClean("the database's rows", rows);
  CHECK(c.runs >= 40);
}
