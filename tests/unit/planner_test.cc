#include "migrate/planner.h"

#include <catch2/catch.hpp>

using namespace migrate;

namespace {

Manifest Make(std::initializer_list<std::string> versions) {
  Manifest m;
  for (const std::string& v : versions) {
    ManifestEntry e{v, "m" + v, "migrations", {}};
    e.files.push_back(
        {v + "_m" + v + ".up.sql", "", Direction::kUp, "up" + v, 1, true, false, 1, {}, {}, {}});
    e.files.push_back({v + "_m" + v + ".down.sql",
                       "",
                       Direction::kDown,
                       "dn" + v,
                       1,
                       true,
                       false,
                       1,
                       {},
                       {},
                       {}});
    m.migrations.push_back(e);
  }
  return m;
}

HistoryRow Row(const std::string& v, const std::string& checksum = "") {
  HistoryRow r;
  r.version = v;
  r.slug = "m" + v;
  r.checksum = checksum.empty() ? "up" + v : checksum;
  return r;
}

std::vector<std::string> Versions(const Plan& p) {
  std::vector<std::string> out;
  for (const PlannedStep& s : p.steps) out.push_back(s.entry->version);
  return out;
}

}  // namespace

TEST_CASE("run plans pending migrations in version order, up to --to", "[unit]") {
  Manifest m = Make({"1", "2", "10", "11"});
  std::vector<HistoryRow> h{Row("1")};
  Plan all = PlanUp(m, h, "sqlite", std::nullopt);
  CHECK(all.findings.empty());
  CHECK(Versions(all) == std::vector<std::string>{"2", "10", "11"});
  CHECK(Versions(PlanUp(m, h, "sqlite", std::string("10"))) == std::vector<std::string>{"2", "10"});
  CHECK_THROWS_WITH(PlanUp(m, h, "sqlite", std::string("3")), Catch::Contains("no migration"));
}

TEST_CASE("drift: changed, missing, out of order, interrupted", "[unit]") {
  Manifest m = Make({"1", "2", "3", "5"});
  HistoryRow started = Row("5");
  started.state = HistoryState::kStarted;
  std::vector<HistoryRow> h{Row("1", "edited"), Row("3"), Row("4"), started};
  std::vector<Finding> f = FindDrift(m, h, "sqlite");
  REQUIRE(f.size() == 4);
  CHECK(f[0].kind == Finding::Kind::kChanged);
  CHECK(f[0].version == "1");
  CHECK(f[1].kind == Finding::Kind::kMissing);
  CHECK(f[1].version == "4");
  CHECK(f[2].kind == Finding::Kind::kStarted);
  CHECK(f[2].Code() == ErrorCode::kNeedsRepair);
  CHECK(f[3].kind == Finding::Kind::kOutOfOrder);
  CHECK(f[3].version == "2");
}

TEST_CASE("down plans newest first by count, --to and --all", "[unit]") {
  Manifest m = Make({"1", "2", "3"});
  std::vector<HistoryRow> h{Row("1"), Row("2"), Row("3")};
  auto down = [&](DownTarget t) { return Versions(PlanDown(m, h, "sqlite", t)); };
  CHECK(down({}) == std::vector<std::string>{"3"});
  CHECK(down({DownTarget::Mode::kCount, 2, ""}) == std::vector<std::string>{"3", "2"});
  CHECK(down({DownTarget::Mode::kTo, 1, "1"}) == std::vector<std::string>{"3", "2"});
  CHECK(down({DownTarget::Mode::kAll, 1, ""}) == std::vector<std::string>{"3", "2", "1"});
  CHECK(down({DownTarget::Mode::kCount, 9, ""}).size() == 3);
}

TEST_CASE("down refuses an irreversible migration before reverting anything", "[unit]") {
  Manifest m = Make({"1", "2"});
  m.migrations[0].files.pop_back();  // no down
  m.migrations[0].files[0].irreversible = true;
  std::vector<HistoryRow> h{Row("1"), Row("2")};
  CHECK_THROWS_WITH(PlanDown(m, h, "sqlite", {DownTarget::Mode::kAll, 1, ""}),
                    Catch::Contains("irreversible"));
  CHECK(Versions(PlanDown(m, h, "sqlite", {})) == std::vector<std::string>{"2"});
}

TEST_CASE("a dialect variant overrides the generic file", "[unit]") {
  Manifest m = Make({"1"});
  m.migrations[0].files.push_back(
      {"1_m1.postgres.up.sql", "postgres", Direction::kUp, "pg", 1, true, false, 1, {}, {}, {}});
  CHECK(m.migrations[0].Find(Direction::kUp, "postgres")->sha256 == "pg");
  CHECK(m.migrations[0].Find(Direction::kUp, "sqlite")->sha256 == "up1");
}

TEST_CASE("IsComplete agrees with PlanUp and FindDrift, from the header alone", "[unit]") {
  Manifest m = Make({"1", "2", "10"});
  // A migration with a PostgreSQL file only: not part of SQLite's completion.
  ManifestEntry pg_only{"11", "m11", "migrations", {}};
  pg_only.files.push_back({"11_m11.postgres.up.sql",
                           "postgres",
                           Direction::kUp,
                           "up11",
                           1,
                           true,
                           false,
                           1,
                           {},
                           {},
                           {}});
  m.migrations.push_back(pg_only);
  ManifestHeader header = ParseManifest(RenderManifest(m), "m.toml").header;
  auto agrees = [&](const std::vector<HistoryRow>& h, std::string_view dialect) {
    bool nothing =
        PlanUp(m, h, dialect, std::nullopt).steps.empty() && FindDrift(m, h, dialect).empty();
    CHECK(IsComplete(header, h, dialect) == nothing);
    return nothing;
  };
  std::vector<HistoryRow> all{Row("1"), Row("2"), Row("10")};
  CHECK(agrees(all, "sqlite"));
  CHECK_FALSE(agrees(all, "postgres"));  // 11 is pending there
  all.push_back(Row("11"));
  CHECK(agrees(all, "postgres"));
  CHECK_FALSE(agrees(all, "sqlite"));  // 11 is not in the bundle for SQLite

  std::vector<HistoryRow> h{Row("1"), Row("2"), Row("10")};
  h[1].checksum = "edited";
  CHECK_FALSE(agrees(h, "sqlite"));
  h = {Row("1"), Row("10")};
  CHECK_FALSE(agrees(h, "sqlite"));  // 2 is pending, out of order
  h = {Row("1"), Row("2"), Row("10")};
  h[2].state = HistoryState::kStarted;
  CHECK_FALSE(agrees(h, "sqlite"));
  // A renamed slug plans nothing but would show another name: not complete.
  h = {Row("1"), Row("2"), Row("10")};
  h[0].slug = "renamed";
  CHECK_FALSE(IsComplete(header, h, "sqlite"));

  ManifestHeader empty = ParseManifest(RenderManifest(Manifest{}), "m.toml").header;
  CHECK(IsComplete(empty, {}, "sqlite"));
  CHECK_FALSE(IsComplete(empty, {Row("1")}, "sqlite"));
  CHECK_FALSE(IsComplete(header, {}, "sqlite"));
}

TEST_CASE("a started row is described by its file's transaction mode", "[unit]") {
  Manifest m = Make({"1"});
  HistoryRow started = Row("1");
  started.state = HistoryState::kStarted;
  started.progress = 0;
  std::vector<Finding> f = FindDrift(m, {started}, "sqlite");
  REQUIRE(f.size() == 1);
  CHECK_THAT(f[0].message, Catch::Contains("though its file runs in one transaction") &&
                               !Catch::Contains("no-transaction) was interrupted") &&
                               Catch::Contains("migrate repair 1 --applied"));
  m.migrations[0].files[0].transaction = false;
  f = FindDrift(m, {started}, "sqlite");
  REQUIRE(f.size() == 1);
  CHECK_THAT(f[0].message, Catch::Contains("1_m1 (no-transaction) was interrupted: 0 of 1") &&
                               Catch::Contains("migrate repair 1 --applied"));
}
