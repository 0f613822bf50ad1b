// End to end: signals and lost output. A deploy whose standard output dies (a log pipe
// closed, `migrate run | head -1`, a dropped ssh session) runs to its end instead of dying
// half-way with the lock held; a second Ctrl-C aborts and says what it leaves.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "e2e/project.h"

using namespace migrate::testing;

namespace {

void AddTables(const Project& p, int n) {
  for (int i = 1; i <= n; ++i) {
    std::string t = "t" + std::to_string(i);
    p.Add(std::to_string(i) + "_" + t + ".up.sql", "CREATE TABLE " + t + " (id INTEGER);\n");
    p.Add(std::to_string(i) + "_" + t + ".down.sql", "DROP TABLE " + t + ";\n");
  }
}

// Adds migration `version`_slow: a SQLite query counting to `n` (3,000,000: about a second),
// then builds, so that a signal arrives while it runs.
void AddSlowAndBuild(const Project& p, const std::string& version, int n) {
  p.Add(version + "_slow.up.sql",
        "CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
        "WHERE x < " +
            std::to_string(n) + ") SELECT count(*) AS n FROM c;\n");
  p.Add(version + "_slow.down.sql", "DROP TABLE slow;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
}

// Waits until the run in `p` holds its lock (up to 10 s): a signal sent then reaches a run in
// progress. A fixed sleep does not: a slow start (a loaded machine, a sanitizer build) took
// the signal before migrate had set its handlers, and died of it without starting.
bool WaitForRunInProgress(const Project& p) {
  for (int i = 0; i < 1000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    try {
      if (std::filesystem::exists(p / "test.db") &&
          p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"1"}) {
        return true;
      }
    } catch (const std::exception&) {
      // not created yet, or busy
    }
  }
  return false;
}

// Runs `migrate args` in `p` with stdout a pipe nobody reads (its read end closed before the
// start, so every write fails with EPIPE) and stderr to a file. Returns the exit code (128 +
// signal when killed) and stderr.
ProcessResult RunWithClosedStdout(const Project& p, const std::vector<std::string>& args) {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  ::close(fds[0]);
  std::string err_path = (p / "stderr.txt").string();
  std::string bin = MIGRATE_BINARY;
  std::vector<std::string> copy = args;
  std::vector<char*> argv{bin.data()};
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    if (::chdir(p.dir().path().c_str()) != 0) ::_exit(126);
    ::signal(SIGPIPE, SIG_DFL);  // as a shell starts it
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ::dup2(fds[1], 1);
    ::dup2(err, 2);
    ::unsetenv("DATABASE_URL");
    ::unsetenv("MIGRATE_ENV");
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  ::close(fds[1]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  ProcessResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  std::ifstream in(err_path);
  std::stringstream ss;
  ss << in.rdbuf();
  r.err = ss.str();
  ThrowOnSanitizerReport(r);
  return r;
}

}  // namespace

TEST_CASE("e2e: run with a closed stdout applies everything and releases the lock", "[e2e]") {
  Project p;
  AddTables(p, 5);
  REQUIRE(p.Run({"build"}).exit_code == 0);
  ProcessResult r = RunWithClosedStdout(p, {"run"});
  INFO(r.err);
  CHECK(r.exit_code == 0);  // was 141: killed by SIGPIPE after the first line
  CHECK_THAT(r.err, Catch::Contains("standard output was closed"));
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"5"});
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
  // --json and a failing command alike: the exit code is the command's own.
  CHECK(RunWithClosedStdout(p, {"--json", "status"}).exit_code == 0);
  CHECK(RunWithClosedStdout(p, {"run", "--to", "7"}).exit_code == 2);
}

TEST_CASE("e2e: a dropped terminal (SIGHUP) does not stop a run half-way", "[e2e]") {
  Project p;
  AddTables(p, 2);
  AddSlowAndBuild(p, "3", 3000000);
  ChildProcess child = StartMigrate({"run"}, p.dir().path());
  REQUIRE(WaitForRunInProgress(p));
  ::kill(child.pid, SIGHUP);
  ProcessResult r = Wait(child);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.Query("SELECT count(*) FROM migrate_history") == std::vector<std::string>{"3"});
  CHECK(p.Query("SELECT count(*) FROM migrate_lock") == std::vector<std::string>{"0"});
}

TEST_CASE("e2e: a second Ctrl-C aborts at once and says what it leaves behind", "[e2e]") {
  Project p;
  AddTables(p, 1);
  AddSlowAndBuild(p, "2", 30000000);
  ChildProcess child = StartMigrate({"run"}, p.dir().path());
  REQUIRE(WaitForRunInProgress(p));
  // Back to back, so the second lands before the first has cancelled the statement (and a
  // SIGTERM, since a second pending SIGINT would merge with the first).
  ::kill(child.pid, SIGINT);
  ::kill(child.pid, SIGTERM);
  ProcessResult r = Wait(child);
  INFO(r.err);
  // Killed by whichever of the two the kernel delivered second.
  CHECK((r.exit_code == 128 + SIGTERM || r.exit_code == 128 + SIGINT));
  CHECK_THAT(r.err,
             Catch::Contains("cancelling the statement in progress") &&
                 Catch::Contains("aborting at once") &&
                 Catch::Contains("on SQLite once its lease expires or with 'migrate unlock'"));
  CHECK(p.Tables() == std::vector<std::string>{"t1"});  // the slow one rolled back
}
