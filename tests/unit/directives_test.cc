#include "migrate/directives.h"

#include <catch2/catch.hpp>

#include "migrate/duration.h"

using namespace migrate;
using namespace std::chrono_literals;

TEST_CASE("directives at the top of a file are read", "[unit]") {
  Diagnostics d;
  Directives got = ParseDirectives(
      "-- a comment\n-- migrate:no-transaction\n-- migrate:lock-timeout 5s\n"
      "-- migrate:statement-timeout 10min\n-- migrate:allow drop-table\n\nSELECT 1;\n",
      "f.sql", d);
  CHECK(d.empty());
  CHECK(got.no_transaction);
  CHECK_FALSE(got.irreversible);
  CHECK(got.lock_timeout == 5000ms);
  CHECK(got.statement_timeout == 600000ms);
  REQUIRE(got.allow.size() == 1);
  CHECK(got.allow[0] == "drop-table");
}

TEST_CASE("bad directives are diagnostics with their line", "[unit]") {
  Diagnostics d;
  ParseDirectives(
      "-- migrate:no-transactoin\n-- migrate:lock-timeout soon\n-- migrate:up\nSELECT 1;\n"
      "-- migrate:irreversible\n",
      "f.sql", d);
  REQUIRE(d.size() == 4);
  CHECK(d[0].where.line == 1);
  CHECK_THAT(d[0].message, Catch::Contains("unknown directive"));
  CHECK(d[1].where.line == 2);
  CHECK_THAT(d[1].message, Catch::Contains("duration"));
  CHECK_THAT(d[2].message, Catch::Contains("dbmate"));
  CHECK(d[3].where.line == 5);
  CHECK_THAT(d[3].message, Catch::Contains("after the first statement"));
}

TEST_CASE("durations parse and print", "[unit]") {
  CHECK(ParseDuration("500ms") == 500ms);
  CHECK(ParseDuration("2h") == 7200000ms);
  CHECK(ParseDuration("1m") == 60000ms);
  CHECK_FALSE(ParseDuration("5"));
  CHECK_FALSE(ParseDuration("-5s"));
  CHECK_FALSE(ParseDuration("5 s"));
  CHECK(FormatDuration(600000ms) == "10min");
  CHECK(FormatDuration(1500ms) == "1500ms");
}
