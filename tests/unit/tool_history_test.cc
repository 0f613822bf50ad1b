// Reading another tool's history for `baseline --from` (engine tool_history.h): each tool's
// rows say which versions are applied; dirty or failed histories and versions the bundle
// lacks are refused with what to do.
#include "migrate/tool_history.h"

#include <catch2/catch.hpp>

#include "migrate/error.h"

using namespace migrate;

namespace {

using Versions = std::vector<std::string>;

TextRow Row(std::initializer_list<std::optional<std::string>> cells) { return TextRow(cells); }

std::string FailureOf(ImportSource source, const std::vector<TextRow>& rows,
                      const Versions& bundle) {
  try {
    ToolAppliedVersions(source, rows, bundle, "t");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kUsage);
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("tool history: each tool's default table and columns", "[unit]") {
  CHECK(ToolHistoryTable(ImportSource::kGolangMigrate).table.ToString() == "schema_migrations");
  CHECK(ToolHistoryTable(ImportSource::kDbmate).columns == Versions{"version"});
  CHECK(ToolHistoryTable(ImportSource::kGoose).table.ToString() == "goose_db_version");
  CHECK(ToolHistoryTable(ImportSource::kFlyway).table.ToString() == "flyway_schema_history");
  CHECK(ToolHistoryTable(ImportSource::kTypeorm).table.ToString() == "migrations");
}

TEST_CASE("tool history: golang-migrate's one row means every version up to it", "[unit]") {
  Versions bundle = {"1", "2", "10", "11"};
  CHECK(ToolAppliedVersions(ImportSource::kGolangMigrate, {Row({"10", "false"})}, bundle, "t") ==
        Versions{"1", "2", "10"});
  CHECK(ToolAppliedVersions(ImportSource::kGolangMigrate, {Row({"2", "0"})}, bundle, "t") ==
        Versions{"1", "2"});
  // golang-migrate keeps versions as integers: 3 is the file 003_….
  CHECK(ToolAppliedVersions(ImportSource::kGolangMigrate, {Row({"3", "f"})},
                            {"001", "002", "003", "004"}, "t") == Versions{"001", "002", "003"});
  CHECK_THAT(FailureOf(ImportSource::kGolangMigrate, {Row({"10", "true"})}, bundle),
             Catch::Contains("left version 10 dirty") && Catch::Contains("migrate force 10"));
  CHECK_THAT(FailureOf(ImportSource::kGolangMigrate, {Row({"1", "f"}), Row({"2", "f"})}, bundle),
             Catch::Contains("keeps exactly one"));
  CHECK_THAT(FailureOf(ImportSource::kGolangMigrate, {Row({"12", "f"})}, bundle),
             Catch::Contains("lacks (12)") && Catch::Contains("migrate import --from golang"));
}

TEST_CASE("tool history: dbmate and TypeORM list what they applied, gaps included", "[unit]") {
  Versions bundle = {"20240101", "20240102", "20240103"};
  CHECK(ToolAppliedVersions(ImportSource::kDbmate, {Row({"20240103"}), Row({"20240101"})}, bundle,
                            "t") == Versions{"20240101", "20240103"});
  CHECK(ToolAppliedVersions(ImportSource::kTypeorm, {Row({"20240102", "AddUsers20240102"})}, bundle,
                            "t") == Versions{"20240102"});
  CHECK_THAT(FailureOf(ImportSource::kDbmate, {}, bundle), Catch::Contains("t is empty"));
  CHECK_THAT(FailureOf(ImportSource::kDbmate, {Row({"v1"})}, bundle),
             Catch::Contains("'v1', which is not 1 to 20 digits"));
  std::vector<TextRow> many;
  for (int i = 0; i < 12; ++i) many.push_back(Row({std::to_string(30000000 + i)}));
  CHECK_THAT(FailureOf(ImportSource::kDbmate, many, bundle),
             Catch::Contains("applied 12 migration(s) the bundle lacks") &&
                 Catch::Contains("30000009, …"));
}

TEST_CASE("tool history: goose's newest row of a version decides, version 0 is its own", "[unit]") {
  Versions bundle = {"1", "2", "3"};
  std::vector<TextRow> rows = {Row({"0", "true", "1"}), Row({"1", "true", "2"}),
                               Row({"2", "true", "3"}), Row({"3", "true", "4"}),
                               Row({"3", "false", "5"})};  // 3 rolled back
  CHECK(ToolAppliedVersions(ImportSource::kGoose, rows, bundle, "t") == Versions{"1", "2"});
}

TEST_CASE("tool history: Flyway's dotted versions, undo, baseline and failed rows", "[unit]") {
  // migrate import padded 1, 1.1, 1.10, 2 to 0100, 0101, 0110, 0200.
  Versions bundle = {"0100", "0101", "0110", "0200"};
  CHECK(MapFlywayVersions({"1", "1.1", "1.10", "2"}, bundle) == bundle);
  CHECK(MapFlywayVersions({"1.1", "9"}, bundle) == Versions{"0101", "9"});  // 9: not there
  std::vector<TextRow> rows = {
      Row({"0", "SCHEMA", "true", "1"}), Row({std::nullopt, "SQL", "true", "2"}),
      Row({"1", "SQL", "true", "3"}),    Row({"1.1", "SQL", "true", "4"}),
      Row({"1.10", "SQL", "true", "5"}), Row({"1.10", "UNDO_SQL", "true", "6"}),
  };
  CHECK(ToolAppliedVersions(ImportSource::kFlyway, rows, bundle, "t") == Versions{"0100", "0101"});
  rows.push_back(Row({"2", "SQL", "false", "7"}));
  CHECK_THAT(FailureOf(ImportSource::kFlyway, rows, bundle),
             Catch::Contains("recorded version 2 as failed") && Catch::Contains("flyway repair"));
  // 1.1 is 01|01 or 1|001 alike when the bundle holds both spellings.
  CHECK_THROWS_WITH(MapFlywayVersions({"1.1"}, {"0101", "1001"}),
                    Catch::Contains("match the bundle's in more than one way"));
  // A Flyway baseline at 1.1 counts everything up to it as applied.
  CHECK(ToolAppliedVersions(ImportSource::kFlyway,
                            {Row({"1.1", "BASELINE", "true", "1"}), Row({"2", "SQL", "1", "2"})},
                            bundle, "t") == Versions{"0100", "0101", "0200"});
}

TEST_CASE("tool history: a history that applies none of the bundle's versions is refused",
          "[unit]") {
  // goose's own row only: it ran, and applied nothing.
  CHECK_THAT(FailureOf(ImportSource::kGoose, {Row({"0", "true", "1"})}, {"1", "2"}),
             Catch::Contains("applies none of the bundle's migrations"));
  CHECK_THAT(FailureOf(ImportSource::kGoose, {Row({"0", "true", "1"}), Row({"1", "false", "2"})},
                       {"1", "2"}),
             Catch::Contains("applies none"));
  // golang-migrate's -1 after a failed first down is dirty, and says so.
  CHECK_THAT(FailureOf(ImportSource::kGolangMigrate, {Row({"-1", "true"})}, {"1"}),
             Catch::Contains("left version -1 dirty"));
  // A Flyway (Teams) baseline migration stands for everything before it.
  CHECK(ToolAppliedVersions(ImportSource::kFlyway, {Row({"2", "SQL_BASELINE", "true", "1"})},
                            {"1", "2", "3"}, "t") == Versions{"1", "2"});
}
