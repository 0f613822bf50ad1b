// `migrate --version`: the tool, the manifest format it reads and writes, and the library
// versions it runs with, as a bug report needs them.
#include <sqlite3.h>

#include <catch2/catch.hpp>
#include <pqxx/version>

#include "e2e/project.h"

using namespace migrate::testing;

TEST_CASE("e2e: --version names the tool, the manifest format and every library", "[e2e]") {
  Project p;
  ProcessResult r = p.Run({"--version"});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::StartsWith(std::string("migrate ") + MIGRATE_VERSION + "\n") &&
                        Catch::Contains("\nmanifest format 2 ") &&
                        Catch::Contains(std::string("\nSQLite ") + sqlite3_libversion()) &&
                        Catch::Contains("\nlibpq 1") &&
                        Catch::Contains(std::string("\nlibpqxx ") + PQXX_VERSION) &&
                        Catch::Contains("\nlibpg_query with the PostgreSQL 15."));
  CHECK(r.err.empty());
}
