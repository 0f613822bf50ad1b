// Builds a real bundle in a temporary folder from a map of migration files, for tests that
// need a verified Bundle without going through the CLI.
#ifndef MIGRATE_TESTS_SUPPORT_BUNDLE_FIXTURE_H_
#define MIGRATE_TESTS_SUPPORT_BUNDLE_FIXTURE_H_

#include <map>
#include <string>

#include "migrate/bundle.h"
#include "support/temp_dir.h"

namespace migrate::testing {

// Writes `files` into dir/migrations, validates them for SQLite (REQUIRE: no diagnostics)
// and writes the bundle to dir/dist. Returns the opened bundle.
Bundle MakeBundle(const TempDir& dir, const std::map<std::string, std::string>& files);

// Loads dir/migrations for SQLite and returns the result, diagnostics included.
LoadResult LoadSqlite(const std::filesystem::path& migrations);

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_BUNDLE_FIXTURE_H_
