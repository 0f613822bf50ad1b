// The converters of `migrate import` (engine import.h): each tool's folder layout becomes
// up and down files with migrate's directives; what cannot be converted is reported.
#include "migrate/import.h"

#include <catch2/catch.hpp>

using namespace migrate;

namespace {

bool Mentions(const ImportResult& r, const std::string& file, const std::string& text,
              Severity severity = Severity::kWarning) {
  for (const Diagnostic& d : r.notes) {
    if (d.where.file == "in/" + file && d.message.find(text) != std::string::npos &&
        d.severity == severity) {
      return true;
    }
  }
  return false;
}

using Files = std::map<std::string, std::string>;

}  // namespace

TEST_CASE("import: golang-migrate files keep their versions, slugs are cleaned", "[unit]") {
  ImportResult r = ConvertMigrations(ImportSource::kGolangMigrate,
                                     {{"1_init.up.sql", "CREATE TABLE a (id int);\n"},
                                      {"1_init.down.sql", "DROP TABLE a;\n"},
                                      {"2_Add Users!.up.sql", "BEGIN;\nSELECT 1;\nCOMMIT;\n"},
                                      {"2_Add Users!.down.sql", ""},
                                      {"README.md", "# notes"},
                                      {"seed.sql", "INSERT INTO a VALUES (1);\n"}},
                                     "in");
  CHECK(r.files == Files{{"1_init.up.sql", "CREATE TABLE a (id int);\n"},
                         {"1_init.down.sql", "DROP TABLE a;\n"},
                         {"2_add_users.up.sql", "BEGIN;\nSELECT 1;\nCOMMIT;\n"},
                         {"2_add_users.down.sql", ""}});
  CHECK(r.versions == std::map<std::string, std::string>{{"1", "1"}, {"2", "2"}});
  REQUIRE(r.notes.size() == 1);  // README.md is not code: left out silently
  CHECK(Mentions(r, "seed.sql", "left out: not <version>_<title>.up|down.sql"));
}

TEST_CASE("import: dbmate sections become up and down files, transaction:false a directive",
          "[unit]") {
  ImportResult r = ConvertMigrations(
      ImportSource::kDbmate,
      {{"20240101000000_users.sql",
        "-- migrate:up\nCREATE TABLE users (id int);\n\n-- migrate:down\nDROP TABLE users;\n"},
       {"20240102000000_users_idx.sql",
        "-- migrate:up transaction:false\nCREATE INDEX CONCURRENTLY u ON users (id);\n"
        "-- migrate:down\n"},
       {"20240103000000_broken.sql", "CREATE TABLE x (id int);\n"}},
      "in");
  CHECK(r.files["20240101000000_users.up.sql"] == "CREATE TABLE users (id int);\n\n");
  CHECK(r.files["20240101000000_users.down.sql"] == "DROP TABLE users;\n");
  CHECK(r.files["20240102000000_users_idx.up.sql"] ==
        "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY u ON users (id);\n");
  CHECK(r.files["20240102000000_users_idx.down.sql"] == "");
  CHECK(Mentions(r, "20240102000000_users_idx.sql", "the down section is empty"));
  CHECK(Mentions(r, "20240103000000_broken.sql", "no '-- migrate:up' section", Severity::kError));
  CHECK(Mentions(r, "20240103000000_broken.sql", "SQL before '-- migrate:up'"));
}

TEST_CASE("import: goose markers are dropped, NO TRANSACTION kept, Go files reported", "[unit]") {
  ImportResult r = ConvertMigrations(
      ImportSource::kGoose,
      {{"00001_fn.sql",
        "-- +goose Up\n-- +goose StatementBegin\nCREATE FUNCTION f() RETURNS int AS $$ SELECT 1; "
        "$$ LANGUAGE sql;\n-- +goose StatementEnd\n\n-- +goose Down\nDROP FUNCTION f();\n"},
       {"00002_idx.sql",
        "-- +goose NO TRANSACTION\n-- +goose Up\nCREATE INDEX CONCURRENTLY i ON "
        "t (x);\n-- +goose Down\nDROP INDEX CONCURRENTLY i;\n"},
       {"00003_backfill.go", "package migrations"}},
      "in");
  CHECK(r.files["00001_fn.up.sql"] ==
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n\n");
  CHECK(r.files["00001_fn.down.sql"] == "DROP FUNCTION f();\n");
  CHECK(r.files["00002_idx.up.sql"] ==
        "-- migrate:no-transaction\nCREATE INDEX CONCURRENTLY i ON t (x);\n");
  CHECK(r.files["00002_idx.down.sql"] == "-- migrate:no-transaction\nDROP INDEX CONCURRENTLY i;\n");
  CHECK(Mentions(r, "00003_backfill.go", "a Go migration: convert it to SQL by hand"));
  CHECK_FALSE(HasErrors(r.notes));
}

TEST_CASE("import: Flyway versions become digits that order as Flyway orders them", "[unit]") {
  ImportResult r = ConvertMigrations(ImportSource::kFlyway,
                                     {{"V1__init.sql", "CREATE TABLE a (id int);\n"},
                                      {"V1.9__nine.sql", "SELECT 9;\n"},
                                      {"V1_10__ten.sql", "SELECT 10;\n"},
                                      {"V2__More_Things.sql", "CREATE TABLE b (id int);\n"},
                                      {"U2__More_Things.sql", "DROP TABLE b;\n"},
                                      {"R__views.sql", "CREATE OR REPLACE VIEW v AS SELECT 1;\n"}},
                                     "in");
  CHECK(r.versions == std::map<std::string, std::string>{
                          {"1", "100"}, {"1.9", "109"}, {"1.10", "110"}, {"2", "200"}});
  CHECK(r.files["100_init.up.sql"] == "-- migrate:irreversible\nCREATE TABLE a (id int);\n");
  CHECK(r.files["200_more_things.up.sql"] == "CREATE TABLE b (id int);\n");
  CHECK(r.files["200_more_things.down.sql"] == "DROP TABLE b;\n");
  CHECK(r.files.size() == 5);
  CHECK(Mentions(r, "R__views.sql", "a repeatable migration"));
  ImportResult stray =
      ConvertMigrations(ImportSource::kFlyway, {{"U3__x.sql", "SELECT 1;\n"}}, "in");
  CHECK(Mentions(stray, "U3__x.sql", "an undo without its V file", Severity::kError));
}

TEST_CASE("import: TypeORM query calls with plain strings become SQL, the rest is reported",
          "[unit]") {
  const std::string plain = R"(import { MigrationInterface, QueryRunner } from "typeorm";
export class AddUsers1700000000000 implements MigrationInterface {
  name = 'AddUsers1700000000000'
  public async up(queryRunner: QueryRunner): Promise<void> {
    // a comment with a } brace
    await queryRunner.query(`CREATE TABLE "users" ("id" SERIAL NOT NULL,
      "name" character varying NOT NULL)`);
    await queryRunner.query("CREATE INDEX \"IDX_name\" ON \"users\" (\"name\") ");
  }
  public async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE "users";');
  }
}
)";
  const std::string built = R"(export class Build1700000000001 {
  async up(queryRunner) { await queryRunner.query(`DROP TABLE ${name}`); }
  async down(queryRunner) { }
}
)";
  const std::string api = R"(export class Api1700000000002 {
  async up(queryRunner) { await queryRunner.createTable(new Table({ name: "t" })); }
  async down(queryRunner) { await queryRunner.dropTable("t"); }
}
)";
  ImportResult r = ConvertMigrations(ImportSource::kTypeorm,
                                     {{"1700000000000-AddUsers.ts", plain},
                                      {"1700000000001-Build.ts", built},
                                      {"1700000000002-Api.js", api}},
                                     "in");
  CHECK(r.files == Files{{"1700000000000_add_users.up.sql",
                          "CREATE TABLE \"users\" (\"id\" SERIAL NOT NULL,\n      \"name\" "
                          "character varying NOT NULL);\nCREATE INDEX \"IDX_name\" ON \"users\" "
                          "(\"name\");\n"},
                         {"1700000000000_add_users.down.sql", "DROP TABLE \"users\";\n"}});
  CHECK(Mentions(r, "1700000000001-Build.ts", "up(): a queryRunner.query() whose SQL is not"));
  CHECK(Mentions(r, "1700000000002-Api.js", "calls queryRunner.createTable()"));
}

TEST_CASE("import: tool names", "[unit]") {
  CHECK(ImportSourceNamed("dbmate") == ImportSource::kDbmate);
  CHECK_FALSE(ImportSourceNamed("liquibase"));
  CHECK(ImportSourceNames() == "golang-migrate, dbmate, goose, flyway, typeorm");
}
