// A SQLite database the runner may not write (docs/reliability.md): a read-only file, a
// read-only folder (SQLite creates its journal beside the file), and a new database in a
// read-only folder. Each is exit 8 with a message saying which and what to do, the file's
// bytes unchanged and nothing created; `status` and `run --dry-run` still work; once access is
// given, the rerun applies what is pending and the file passes `PRAGMA integrity_check`.
// The runner runs as an unprivileged user (root ignores file permissions).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "e2e/project.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

ProcessResult RunUnprivileged(const Project& p, const std::vector<std::string>& args) {
  ChildProcess child = StartMigrateUnprivileged(args, p.dir().path());
  return Wait(child);
}

// Hands the project to the unprivileged user (when the tests run as root).
void GiveAway(const fs::path& path) {
  if (::geteuid() != 0) return;
  REQUIRE(::chown(path.c_str(), kUnprivilegedUid, kUnprivilegedUid) == 0);
  if (!fs::is_directory(path)) return;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(path)) {
    REQUIRE(::chown(e.path().c_str(), kUnprivilegedUid, kUnprivilegedUid) == 0);
  }
}

void SetWritable(const fs::path& path, bool writable) {
  fs::perms w = fs::perms::owner_write | fs::perms::group_write | fs::perms::others_write;
  fs::permissions(path, w, writable ? fs::perm_options::add : fs::perm_options::remove);
  if (writable)
    fs::permissions(path, fs::perms::group_write | fs::perms::others_write,
                    fs::perm_options::remove);
}

// Migration 1 applied, 2 pending, all of it the unprivileged user's.
void Prepare(const Project& p) {
  p.Add("1_a.up.sql", "CREATE TABLE a (id integer);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run"}).exit_code == 0);
  p.Add("2_b.up.sql", "CREATE TABLE b (id integer);\nINSERT INTO b VALUES (1);\n");
  p.Add("2_b.down.sql", "DROP TABLE b;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  GiveAway(p.dir().path());
}

// The refused run, then status and a dry run that work, with the file untouched.
void CheckRefused(const Project& p, const std::string& why) {
  std::map<std::string, std::string> before = Snapshot(p.dir().path());
  ProcessResult r = RunUnprivileged(p, {"run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains("attempt to write a readonly database: " + why) &&
                        Catch::Contains("give it write access to both"));
  ProcessResult status = RunUnprivileged(p, {"status"});
  CHECK(status.exit_code == 0);
  CHECK_THAT(status.out, Catch::Contains("pending  2  b"));
  ProcessResult dry = RunUnprivileged(p, {"run", "--dry-run"});
  INFO(dry.out << dry.err);
  CHECK(dry.exit_code == 0);
  CHECK(Snapshot(p.dir().path()) == before);  // no byte changed, no journal left
}

void CheckRerun(const Project& p) {
  ProcessResult r = RunUnprivileged(p, {"run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(p.Tables() == std::vector<std::string>{"a", "b"});
  CHECK(p.Query("SELECT count(*) FROM b") == std::vector<std::string>{"1"});
  CHECK(p.Query("PRAGMA integrity_check") == std::vector<std::string>{"ok"});
}

}  // namespace

TEST_CASE("faults: a read-only SQLite file is exit 8, untouched, and the rerun applies",
          "[faults][sqlite]") {
  Project p;
  Prepare(p);
  SetWritable(p / "test.db", false);
  CheckRefused(p,
               "the database file, or its folder (where SQLite creates its -journal or "
               "-wal file), is not writable by this user");
  SetWritable(p / "test.db", true);
  CheckRerun(p);
}

TEST_CASE(
    "faults: a SQLite file in a read-only folder is exit 8, untouched, and the rerun "
    "applies",
    "[faults][sqlite]") {
  Project p;
  Prepare(p);
  SetWritable(p.dir().path(), false);
  CheckRefused(p,
               "its folder is not writable by this user, and SQLite creates its journal "
               "there");
  SetWritable(p.dir().path(), true);
  CheckRerun(p);
}

TEST_CASE("faults: a new SQLite database in a read-only folder is exit 8 and creates nothing",
          "[faults][sqlite]") {
  Project p;
  p.Add("1_a.up.sql", "CREATE TABLE a (id integer);\n");
  p.Add("1_a.down.sql", "DROP TABLE a;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  GiveAway(p.dir().path());
  SetWritable(p.dir().path(), false);
  ProcessResult r = RunUnprivileged(p, {"run"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 8);
  CHECK_THAT(r.err, Catch::Contains("cannot open SQLite database") &&
                        Catch::Contains("does not exist or is not writable by this user"));
  CHECK_FALSE(fs::exists(p / "test.db"));
  SetWritable(p.dir().path(), true);
  CHECK(RunUnprivileged(p, {"run"}).exit_code == 0);
  CHECK(p.Tables() == std::vector<std::string>{"a"});
}
