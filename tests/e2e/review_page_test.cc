// `migrate plan --format html`: the review page. The example project's page on PostgreSQL is
// rendered by headless Chromium (tests/support/browse.py over the DevTools protocol): the
// screenshot must be a PNG with something drawn on it, and the text the browser extracts must
// hold every pending migration, every lint finding at its line and every lock the text plan
// names. The screenshot stays in the build folder (artifacts/review.png).
#include <sys/wait.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <regex>
#include <sstream>

#include "e2e/project.h"
#include "support/pg.h"

using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

// Runs tests/support/browse.py with `args`; its standard output, and its exit status.
std::string Browse(const std::string& args, int& status) {
  std::string cmd = "python3 '" + (SourceDir() / "tests/support/browse.py").string() + "' " + args;
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  std::ostringstream out;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.write(buf, static_cast<long>(n));
  int raw = ::pclose(p);
  status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return out.str();
}

// A pending migration written to break the page (markup in a comment, a string and a
// dollar-quoted body, which must come out as text) and to draw lint findings (the example's
// own files have none).
const std::string kHostile =
    "-- </script><script>alert(1)</script>\n"
    "CREATE TABLE notes (body text DEFAULT '<img src=x onerror=alert(2)>');\n"
    "COMMENT ON TABLE notes IS $q$</table><b>bold</b>$q$;\n"
    "CREATE INDEX products_name_idx ON products (name);\n"
    "ALTER TABLE products ALTER COLUMN name TYPE varchar(200);\n";

const char* const kLockModes[] = {
    "ACCESS SHARE",        "ROW SHARE",        "ROW EXCLUSIVE",       "SHARE UPDATE EXCLUSIVE",
    "SHARE ROW EXCLUSIVE", "ACCESS EXCLUSIVE", "database write lock", "SHARE on"};

// The screenshot: a PNG, large, with the page's colours on it (not a blank or error page).
void CheckScreenshot(const fs::path& shot) {
  int status = -1;
  std::istringstream stats(Browse("stats '" + shot.string() + "'", status));
  REQUIRE(status == 0);
  int width = 0, height = 0, colours = 0;
  double nonwhite = 0;
  stats >> width >> height >> colours >> nonwhite;
  CHECK(width >= 1000);
  CHECK(height >= 1000);
  CHECK(colours >= 20);
  CHECK(nonwhite > 0.02);
  CHECK(nonwhite < 0.9);
}

// What the browser extracted holds every migration, finding and lock level of the text plan.
void CheckAgainstTextPlan(const std::string& seen, const std::string& text) {
  std::regex header(R"(^(\d+)  (\w+)  \()"), finding(R"(^  ((warning|error)\[.*))");
  int migrations = 0, findings = 0;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, header)) {
      ++migrations;
      CHECK_THAT(seen, Catch::Contains(m[1].str() + " " + m[2].str()));
    } else if (std::regex_search(line, m, finding)) {
      ++findings;
      CHECK_THAT(seen, Catch::Contains(m[1].str()));
    }
  }
  CHECK(migrations == 7);
  CHECK(findings == 3);
  int locks = 0;
  for (const char* lock : kLockModes) {
    if (text.find(lock) == std::string::npos) continue;
    ++locks;
    CHECK_THAT(seen, Catch::Contains(lock));
  }
  CHECK(locks >= 3);
}

}  // namespace

TEST_CASE("plan --format html: the example project's review page, as Chromium shows it",
          "[postgres][e2e]") {
  auto started = std::chrono::steady_clock::now();
  Project p;
  p.CopyExample();
  p.Add("20991231000000_add_notes.up.sql", "CREATE TABLE notes (body text);\n");
  p.Add("20991231000000_add_notes.postgres.up.sql", kHostile);
  p.Add("20991231000000_add_notes.down.sql", "DROP TABLE notes;\n");
  PgDatabase db;
  std::map<std::string, std::string> env{{"DATABASE_URL", db.url()}};
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "20240105090000"}, env).exit_code == 0);
  ProcessResult text = p.Run({"plan"}, env);
  REQUIRE(text.exit_code == 0);
  ProcessResult html = p.Run({"plan", "--format", "html"}, env);
  REQUIRE(html.exit_code == 0);
  CHECK(p.Run({"plan", "--format", "html"}, env).out == html.out);  // deterministic

  // Self-contained and escaped: no script, nothing fetched, the SQL's markup is text.
  CHECK_THAT(html.out, !Catch::Contains("<script") && !Catch::Contains("<img") &&
                           !Catch::Contains("<b>") && !Catch::Contains("href=") &&
                           !Catch::Contains("migrate-test-only"));
  CHECK_THAT(html.out, Catch::Contains("&lt;/script&gt;") && Catch::Contains("<style>"));

  fs::path page = p / "review.html";
  WriteFile(page, html.out);
  fs::path shot = fs::path(MIGRATE_BUILD_DIR) / "artifacts" / "review.png";
  fs::create_directories(shot.parent_path());
  fs::remove(shot);
  int status = -1;
  std::string seen = Browse("render '" + page.string() + "' '" + shot.string() + "'", status);
  REQUIRE(status == 0);
  std::printf("review page screenshot: %s\n", shot.c_str());

  CheckScreenshot(shot);

  // The text the browser extracted: the summary, every pending migration, every finding of
  // the text plan at its line, every lock level the text plan names, the hostile SQL as text.
  CHECK_THAT(seen, Catch::Contains("7 migration(s)") &&
                       Catch::Contains("0 error(s), 3 warning(s)") &&
                       Catch::Contains("BEGIN; -- added by migrate") &&
                       Catch::Contains("no transaction (-- migrate:no-transaction)") &&
                       Catch::Contains("lock_timeout 5s (directive)") &&
                       Catch::Contains("sha256 ") && !Catch::Contains("migrate-test-only"));
  CHECK_THAT(seen, Catch::Contains("<img src=x onerror=alert(2)>") &&
                       Catch::Contains("</script><script>alert(1)</script>") &&
                       Catch::Contains("$q$</table><b>bold</b>$q$"));
  CheckAgainstTextPlan(seen, text.out);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  started);
  std::printf("review page test: %lld ms\n", static_cast<long long>(ms.count()));
}

TEST_CASE("plan --format html on SQLite: the database write lock, escaped SQL, no lint", "[e2e]") {
  Project p;
  p.CopyExample();
  p.Add("20991231000000_add_notes.up.sql", "CREATE TABLE notes (body text DEFAULT '<i>');\n");
  p.Add("20991231000000_add_notes.down.sql", "DROP TABLE notes;\n");
  REQUIRE(p.Run({"build"}).exit_code == 0);
  REQUIRE(p.Run({"run", "--to", "20240105090000"}).exit_code == 0);
  ProcessResult html = p.Run({"plan", "--format", "html"});
  REQUIRE(html.exit_code == 0);
  CHECK_THAT(html.out, Catch::Contains("7 migration(s)") &&
                           Catch::Contains("0 error(s), 0 warning(s)") &&
                           Catch::Contains("Strongest lock</dt><dd>database write lock</dd>") &&
                           Catch::Contains("statement 1: database write lock") &&
                           Catch::Contains("<span class=\"kw\">CREATE</span>") &&
                           Catch::Contains("<span class=\"str\">&#39;&lt;i&gt;&#39;</span>") &&
                           !Catch::Contains("<i>"));
}

TEST_CASE("plan --format html: an unreachable database fails as the text plan does", "[e2e]") {
  Project p;
  p.CopyExample();
  REQUIRE(p.Run({"build"}).exit_code == 0);
  std::map<std::string, std::string> env{
      {"DATABASE_URL", "postgres://app:s3cret-pw@127.0.0.1:1/shop?connect_timeout=2"}};
  ProcessResult html = p.Run({"plan", "--format", "html"}, env);
  CHECK(html.exit_code == 8);
  CHECK(html.out.empty());
  CHECK_THAT(html.err, !Catch::Contains("s3cret-pw"));
  ProcessResult bad = p.Run({"plan", "--format", "pdf"});
  CHECK(bad.exit_code == 2);
}
