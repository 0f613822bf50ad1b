#include "migrate/naming.h"

#include <catch2/catch.hpp>

using migrate::CompareVersions;
using migrate::Direction;
using migrate::ParseMigrationFileName;

TEST_CASE("migration file names parse from the right", "[unit]") {
  auto f = ParseMigrationFileName("20240101120000_create_users.up.sql");
  REQUIRE(f);
  CHECK(f->version == "20240101120000");
  CHECK(f->slug == "create_users");
  CHECK(f->dialect.empty());
  CHECK(f->direction == Direction::kUp);

  auto d = ParseMigrationFileName("7_add-index.postgres.down.sql");
  REQUIRE(d);
  CHECK(d->version == "7");
  CHECK(d->slug == "add-index");
  CHECK(d->dialect == "postgres");
  CHECK(d->direction == Direction::kDown);

  // Real sets put dots in slugs.
  auto dots = ParseMigrationFileName("20210410175418000000_release_status_view.sql.up.sql");
  REQUIRE(dots);
  CHECK(dots->slug == "release_status_view.sql");

  auto twenty = ParseMigrationFileName("20150100000001000000_networks.sqlite.up.sql");
  REQUIRE(twenty);
  CHECK(twenty->version == "20150100000001000000");
  CHECK(twenty->dialect == "sqlite");
}

TEST_CASE("bad migration file names say what is wrong", "[unit]") {
  std::string why;
  CHECK_FALSE(ParseMigrationFileName("20240101_users.sql", &why));
  CHECK_THAT(why, Catch::Contains(".up.sql or .down.sql"));
  CHECK_FALSE(ParseMigrationFileName("abc_users.up.sql", &why));
  CHECK_THAT(why, Catch::Contains("digits"));
  CHECK_FALSE(ParseMigrationFileName("123456789012345678901_x.up.sql", &why));  // 21 digits
  CHECK_FALSE(ParseMigrationFileName("2024.up.sql", &why));
  CHECK_THAT(why, Catch::Contains("no '_'"));
  CHECK_FALSE(ParseMigrationFileName("2024_.up.sql", &why));
  CHECK_FALSE(ParseMigrationFileName("2024_a b.up.sql", &why));
  CHECK_FALSE(ParseMigrationFileName("2024_x.UP.sql", &why));
  CHECK_FALSE(ParseMigrationFileName("README.md", &why));
}

TEST_CASE("versions compare as decimal numbers of any width", "[unit]") {
  CHECK(CompareVersions("2", "10") < 0);
  CHECK(CompareVersions("010", "10") == 0);
  CHECK(CompareVersions("20260703000000000000", "20150100000001000000") > 0);
  CHECK(CompareVersions("99999999999999999999", "18446744073709551615") > 0);
  CHECK(CompareVersions("0", "000") == 0);
}
