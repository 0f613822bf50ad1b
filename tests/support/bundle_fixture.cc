#include "support/bundle_fixture.h"

#include <stdexcept>

#include "sqlite/sqlite_driver.h"

namespace migrate::testing {

LoadResult LoadSqlite(const std::filesystem::path& migrations) {
  return LoadMigrationSet({{"migrations", migrations}}, {&sqlite::SqliteDialect()});
}

Bundle MakeBundle(const TempDir& dir, const std::map<std::string, std::string>& files) {
  for (const auto& [name, text] : files) WriteFile(dir / ("migrations/" + name), text);
  LoadResult loaded = LoadSqlite(dir / "migrations");
  if (!loaded.diagnostics.empty()) {
    throw std::runtime_error("fixture has diagnostics: " + loaded.diagnostics.front().ToString());
  }
  WriteBundle(loaded.set, dir / "dist");
  return Bundle::Open(dir / "dist");
}

}  // namespace migrate::testing
