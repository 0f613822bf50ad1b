// What migrate keeps in the target database, without one: table names, history rows decoded
// from their cells, and the pure bookkeeping SQL of each dialect.
#include "migrate/records.h"

#include <catch2/catch.hpp>

#include "postgres/postgres_batch.h"
#include "postgres/postgres_records.h"
#include "postgres/postgres_script.h"
#include "postgres/postgres_session.h"
#include "sqlite/sqlite_records.h"

using namespace migrate;

namespace {

std::array<std::string_view, kHistoryColumns.size()> Cells(std::string_view state,
                                                           std::string_view duration = "12",
                                                           std::string_view progress = "3") {
  return {
      "20240101000000", "create_x",  "aaa",           "",     state,    "2024-01-01T00:00:00.000Z",
      duration,         "me@host:1", "migrate 0.1.0", "run1", progress, "fp"};
}

}  // namespace

TEST_CASE("a qualified table name is quoted part by part", "[unit]") {
  CHECK(QualifiedName("migrate_history").Quoted() == "\"migrate_history\"");
  CHECK(QualifiedName("ops.history").Quoted() == "\"ops\".\"history\"");
  CHECK(QualifiedName("ops.history").schema() == "ops");
  CHECK(QualifiedName("ops.history").table() == "history");
  CHECK(QualifiedName("ops.history").ToString() == "ops.history");
}

TEST_CASE("history rows decode from their cells, and an unknown state or number is refused",
          "[unit]") {
  HistoryRow row = DecodeHistoryRow(Cells("applied"));
  CHECK(row.version == "20240101000000");
  CHECK(row.state == HistoryState::kApplied);
  CHECK(row.duration_ms == 12);
  CHECK(row.progress == 3);
  CHECK(row.down_checksum.empty());
  CHECK(DecodeHistoryRow(Cells("started")).state == HistoryState::kStarted);
  CHECK(HistoryStateName(HistoryState::kStarted) == "started");

  for (auto cells : {Cells("done"), Cells("applied", "12ms"), Cells("applied", "12", "x")}) {
    try {
      DecodeHistoryRow(cells);
      FAIL("expected the row to be refused");
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kDrift);
      CHECK_THAT(e.what(), Catch::Contains("20240101000000") && Catch::Contains("by hand"));
    }
  }
}

TEST_CASE("both dialects select the history columns in kHistoryColumns order", "[unit]") {
  TableNames t;
  for (const SqlCommand& select : {sqlite::SelectHistory(t), postgres::SelectHistory(t)}) {
    std::size_t at = 0;
    for (std::string_view column : kHistoryColumns) {
      std::size_t found = select.text.find(std::string(column), at);
      INFO(select.text << "\nlooking for " << column);
      REQUIRE(found != std::string::npos);
      at = found + column.size();
    }
  }
  // The state CHECK of both DDLs holds exactly the two words.
  for (const std::string& ddl : {sqlite::MetadataDdl(t)[0], postgres::MetadataDdl(t)[0]}) {
    CHECK_THAT(ddl, Catch::Contains("IN ('applied','started','baseline')"));
  }
}

TEST_CASE("the psql script inlines each parameter as a literal, NULL for none", "[unit]") {
  SqlCommand c{"SELECT $1, $2, $10, $1", {}};
  for (int i = 1; i <= 10; ++i) c.params.push_back("v" + std::to_string(i));
  c.params[1] = std::nullopt;
  auto quote = [](const std::string& s) { return "'" + s + "'"; };
  CHECK(postgres::Inline(c, quote) == "SELECT 'v1', NULL, 'v10', 'v1'");
}

TEST_CASE("table names without a schema are qualified in the connection's", "[unit]") {
  TableNames names;
  names.log = QualifiedName("ops.log");
  TableNames q = names.QualifiedIn("app");
  CHECK(q.history.Quoted() == "\"app\".\"migrate_history\"");
  CHECK(q.log.Quoted() == "\"ops\".\"log\"");  // configured: kept
  CHECK(names.QualifiedIn("not a name").history.Quoted() == "\"migrate_history\"");
}

TEST_CASE("postgres: a session setting joins the URL's libpq options", "[unit]") {
  using migrate::postgres::WithSessionSetting;
  CHECK(WithSessionSetting("postgres://h/db", "a", "1") == "postgres://h/db?options=-c%20a%3D1");
  CHECK(WithSessionSetting("postgres://h/db?sslmode=disable", "a", "1") ==
        "postgres://h/db?sslmode=disable&options=-c%20a%3D1");
  CHECK(WithSessionSetting("postgres://h/db?options=-c%20b%3D2&x=y", "a", "1") ==
        "postgres://h/db?options=-c%20b%3D2%20-c%20a%3D1&x=y");
  CHECK(WithSessionSetting("postgres://h/db?options=-c%20a%3D5", "a", "1") ==
        "postgres://h/db?options=-c%20a%3D5");
  CHECK(WithSessionSetting("postgres://h/db?xoptions=1", "a", "1") ==
        "postgres://h/db?xoptions=1&options=-c%20a%3D1");
  // PgBouncer's refusals, old and new: the setting is then made with SET after connecting.
  CHECK(migrate::postgres::RefusesStartupOptions(
      "cannot reach PostgreSQL at postgres://u@h/db: ERROR:  unsupported startup parameter: "
      "options"));
  CHECK(migrate::postgres::RefusesStartupOptions(
      "ERROR:  unsupported startup parameter in options: client_connection_check_interval"));
  CHECK_FALSE(migrate::postgres::RefusesStartupOptions(
      "FATAL:  unrecognized configuration parameter \"no_such_setting\""));
}

TEST_CASE("postgres: a migration sent whole is its parts, each ending its statement", "[unit]") {
  migrate::postgres::Batch batch;
  batch.Add("BEGIN", -1);
  batch.Add("SELECT 1", 0);
  batch.Add("SELECT 2 -- a comment to the end of the line;", 1, 3);
  batch.Add("COMMIT", -6);
  CHECK(batch.text() ==
        "BEGIN\n;\nSELECT 1\n;\nSELECT 2 -- a comment to the end of the line;\n;\n"
        "COMMIT\n;");
  CHECK(batch.size() == 4);
  CHECK(batch.tag(1) == 0);
  CHECK(batch.tag(3) == -6);
}

TEST_CASE("postgres: the record of a migration sent whole leaves its duration to the server",
          "[unit]") {
  migrate::Step step;
  step.version = "1";
  step.file = "1_a.up.sql";
  migrate::LockRequest lease;
  lease.run_id = "r";
  migrate::SqlCommand measured = migrate::postgres::RecordDone({}, step, lease, 42);
  migrate::SqlCommand by_server = migrate::postgres::RecordDone({}, step, lease, -1);
  CHECK(measured.params[6] == std::optional<std::string>("42"));
  CHECK_FALSE(by_server.params[6].has_value());
  CHECK_THAT(by_server.text, Catch::Contains("coalesce($7::bigint, (extract(epoch FROM "
                                             "clock_timestamp() - coalesce(nullif("));
  migrate::SqlCommand guard = migrate::postgres::FailUnlessHoldsLock({}, lease);
  CHECK_THAT(guard.text, Catch::Contains("CAST('migrate: the lock lease was lost'"));
  CHECK(guard.params == std::vector<std::optional<std::string>>{"r"});
}
