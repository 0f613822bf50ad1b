#include "migrate/bundle.h"

#include <sys/stat.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>

#include "migrate/sha256.h"
#include "support/bundle_fixture.h"

using namespace migrate;
using namespace migrate::testing;
namespace fs = std::filesystem;

namespace {

const std::map<std::string, std::string> kFiles = {
    {"1_a.up.sql", "\xEF\xBB\xBF-- migrate:lock-timeout 5s\r\nCREATE TABLE a (x);\r\n"},
    {"1_a.down.sql", "DROP TABLE a;"},
    {"2_b.up.sql", "-- migrate:irreversible\nCREATE TABLE b (x);"},
};

// Every way of opening a bundle refuses it, unless `listing_opens` (the header-only checks of
// a no-op run, kListing and kNames, cannot see what only the entries say) or `names_open`
// (kNames stats nothing: a resized file is found when it is read).
void ExpectCorrupt(const fs::path& dist, const std::string& what, bool listing_opens = false,
                   bool names_open = false) {
  for (Bundle::Verify verify :
       {Bundle::Verify::kEveryFile, Bundle::Verify::kListing, Bundle::Verify::kNames}) {
    if (listing_opens && verify != Bundle::Verify::kEveryFile) continue;
    if (names_open && verify == Bundle::Verify::kNames) continue;
    try {
      Bundle::Open(dist, verify);
      FAIL("expected a corrupt bundle: " << what);
    } catch (const Error& e) {
      CHECK(e.code() == ErrorCode::kCorruptBundle);
      CHECK_THAT(e.what(), Catch::Contains(what));
    }
  }
}

// `manifest` with its digest line made to match its bytes again, as a forger would.
std::string Resign(std::string manifest) {
  std::size_t line = manifest.find("\ndigest = '") + 1;
  std::size_t end = manifest.find('\n', line) + 1;
  std::string unsigned_text = manifest.substr(0, line) + manifest.substr(end);
  manifest.replace(line + 10, 64, Sha256Hex(unsigned_text));
  return manifest;
}

}  // namespace

TEST_CASE("two builds of the same sources are byte-identical", "[unit]") {
  TempDir a, b;
  MakeBundle(a, kFiles);
  MakeBundle(b, kFiles);
  auto sa = Snapshot(a / "dist");
  CHECK(sa == Snapshot(b / "dist"));
  CHECK(sa.size() == 4);
  // The bundle holds the normalized bytes: no BOM, LF line ends.
  CHECK(sa["1_a.up.sql"] == "-- migrate:lock-timeout 5s\nCREATE TABLE a (x);\n");
  CHECK(DiffBundle(LoadSqlite(a / "migrations").set, a / "dist").empty());
}

TEST_CASE("the manifest round-trips and records directives", "[unit]") {
  TempDir dir;
  Bundle bundle = MakeBundle(dir, kFiles);
  const Manifest& m = bundle.manifest();
  REQUIRE(m.migrations.size() == 2);
  const ManifestFile* up = m.migrations[0].Find(Direction::kUp, "sqlite");
  REQUIRE(up);
  CHECK(up->lock_timeout == std::chrono::milliseconds(5000));
  CHECK(up->statements == 1);
  CHECK(m.migrations[1].Find(Direction::kUp, "sqlite")->irreversible);
  CHECK(m.migrations[1].Find(Direction::kDown, "sqlite") == nullptr);
  CHECK(RenderManifest(m) == ReadFile(dir / "dist/manifest.toml"));
}

TEST_CASE("a tampered bundle is refused", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  fs::path dist = dir / "dist";
  auto original = Snapshot(dist);
  auto restore = [&] {
    fs::remove_all(dist);
    for (const auto& [name, bytes] : original) WriteFile(dist / name, bytes);
    REQUIRE_NOTHROW(Bundle::Open(dist));
  };

  WriteFile(dist / "1_a.down.sql", "DROP TABLE a; -- edited");
  ExpectCorrupt(dist, "1_a.down.sql was changed", false, /*names_open=*/true);
  restore();

  WriteFile(dist / "9_extra.up.sql", "SELECT 1;");
  ExpectCorrupt(dist, "9_extra.up.sql is not in the manifest");
  restore();

  fs::remove(dist / "2_b.up.sql");
  ExpectCorrupt(dist, "2_b.up.sql is missing");
  restore();

  fs::remove(dist / "1_a.down.sql");
  fs::create_symlink(dir / "migrations/1_a.down.sql", dist / "1_a.down.sql");
  ExpectCorrupt(dist, "symlink");
  restore();

  fs::create_directory(dist / "9_dir.up.sql");
  ExpectCorrupt(dist, "9_dir.up.sql is not a regular file");
  restore();

  std::string manifest = ReadFile(dist / "manifest.toml");
  std::string edited = manifest;
  edited.replace(edited.find("statements = 1"), 14, "statements = 2");
  WriteFile(dist / "manifest.toml", edited);
  ExpectCorrupt(dist, "digest");
  restore();

  edited = manifest;
  edited.replace(edited.find("name = '1_a.down.sql'"), 21, "name = '../1_a.down.sql'");
  WriteFile(dist / "manifest.toml", edited);
  ExpectCorrupt(dist, "do not match its digest");
  restore();

  fs::remove(dist / "manifest.toml");
  ExpectCorrupt(dist, "run 'migrate build' first");
}

TEST_CASE("the manifest header covers every byte and must match the entries", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  fs::path dist = dir / "dist";
  const std::string manifest = ReadFile(dist / "manifest.toml");
  // Any edited byte, in the header or in a comment, breaks the digest.
  for (std::string key : {"listing = '", "names = '", "complete_sqlite = '", "# Written"}) {
    std::string edited = manifest;
    std::size_t at = edited.find(key);
    REQUIRE(at != std::string::npos);
    edited[at + key.size()] = edited[at + key.size()] == 'a' ? 'b' : 'a';
    WriteFile(dist / "manifest.toml", edited);
    ExpectCorrupt(dist, "do not match its digest");
  }
  // A header re-signed by hand but saying something else than the entries: the header alone
  // opens (that is what a no-op run reads), the entries do not.
  std::string forged = manifest;
  std::size_t at = forged.find("complete_sqlite = '") + 19;
  forged.replace(at, 64, std::string(64, '0'));
  WriteFile(dist / "manifest.toml", Resign(forged));
  Bundle bundle = Bundle::Open(dist, Bundle::Verify::kListing);
  CHECK(bundle.header().complete.at("sqlite") == std::string(64, '0'));
  CHECK_THROWS_WITH(bundle.manifest(), Catch::Contains("header does not match its entries"));
  ExpectCorrupt(dist, "header does not match its entries", true);
}

TEST_CASE("kNames reads the folder's names only, the bytes are checked when read", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  fs::path dist = dir / "dist";
  WriteFile(dist / "1_a.down.sql", "DROP TABLE a; -- resized after the build");
  Bundle bundle = Bundle::Open(dist, Bundle::Verify::kNames);  // a no-op runs no file
  const ManifestFile* down = bundle.manifest().migrations[0].Find(Direction::kDown, "sqlite");
  REQUIRE(down);
  CHECK_THROWS_WITH(bundle.Read(*down), Catch::Contains("1_a.down.sql changed"));
  CHECK_THROWS_WITH(bundle.VerifyFiles({down}), Catch::Contains("1_a.down.sql changed"));
  // The names digest: in name order, each name ended so that no two lists collide.
  CHECK(NamesDigest({"b", "a"}) == NamesDigest({"a", "b"}));
  CHECK(NamesDigest({"a\nb"}) != NamesDigest({"a", "b"}));
  CHECK(NamesDigest({"ab"}) != NamesDigest({"a", "b"}));
}

TEST_CASE("a bundle without the names digest is checked by its listing", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  fs::path dist = dir / "dist";
  std::string manifest = ReadFile(dist / "manifest.toml");
  std::size_t at = manifest.find("\nnames = '") + 1;
  REQUIRE(at != 0);
  std::string names_line = manifest.substr(at, manifest.find('\n', at) + 1 - at);
  std::string older = manifest;
  older.erase(at, names_line.size());
  WriteFile(dist / "manifest.toml", Resign(older));  // as a build before the digest wrote it
  CHECK(Bundle::Open(dist, Bundle::Verify::kNames).manifest().migrations.size() == 2);
  WriteFile(dist / "1_a.down.sql", "DROP TABLE a; -- resized after the build");
  CHECK_THROWS_WITH(Bundle::Open(dist, Bundle::Verify::kNames),
                    Catch::Contains("1_a.down.sql was changed after the build"));
  // A names digest re-signed by hand but not the entries': the folder's listing still opens
  // it (that is all a no-op reads), the entries do not.
  WriteFile(dist / "1_a.down.sql", "DROP TABLE a;");
  std::string forged = manifest;
  forged.replace(at + 9, 64, std::string(64, '0'));
  WriteFile(dist / "manifest.toml", Resign(forged));
  Bundle bundle = Bundle::Open(dist, Bundle::Verify::kNames);
  CHECK_THROWS_WITH(bundle.manifest(), Catch::Contains("header does not match its entries"));
}

TEST_CASE("an entry that is not TOML is reported at its line in the whole manifest", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  std::string manifest = ReadFile(dir / "dist/manifest.toml");
  std::size_t at = manifest.rfind("statements = ");  // in the last [[migration]] table
  manifest.replace(at, 14, "statements = @");
  int line = 1 + static_cast<int>(std::count(manifest.begin(), manifest.begin() + at, '\n'));
  CHECK_THROWS_WITH(ParseManifest(Resign(manifest), "m.toml"),
                    Catch::Contains("m.toml: not valid TOML at line " + std::to_string(line)));
}

TEST_CASE("rebuilding replaces the bundle in one step", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  WriteFile(dir / "migrations/3_c.up.sql", "CREATE TABLE c (x);");
  WriteFile(dir / "migrations/3_c.down.sql", "DROP TABLE c;");
  LoadResult loaded = LoadSqlite(dir / "migrations");
  REQUIRE(loaded.diagnostics.empty());
  CHECK(DiffBundle(loaded.set, dir / "dist").size() == 3);  // two new files, new manifest
  WriteBundle(loaded.set, dir / "dist");
  CHECK(Bundle::Open(dir / "dist").manifest().migrations.size() == 3);
  // No temporary folder is left behind.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(dir.path())) entries += e.is_directory() ? 1 : 0;
  CHECK(entries == 2);  // migrations, dist
}

TEST_CASE("a rebuild writes only what changed: the rest is linked, or nothing is written",
          "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  fs::path dist = dir / "dist";
  auto inode = [](const fs::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_ino;
  };
  auto dist_inode = inode(dist);
  auto up_inode = inode(dist / "1_a.up.sql");

  BundleWrite same = WriteBundle(LoadSqlite(dir / "migrations").set, dist);
  CHECK(same.unchanged);
  CHECK(inode(dist) == dist_inode);  // not even swapped

  WriteFile(dir / "migrations/3_c.up.sql", "CREATE TABLE c (x);");
  WriteFile(dir / "migrations/3_c.down.sql", "DROP TABLE c;");
  WriteFile(dist / "1_a.down.sql", "DROP TABLE a; -- edited in dist");  // rewritten, not linked
  BundleWrite grown = WriteBundle(LoadSqlite(dir / "migrations").set, dist);
  CHECK_FALSE(grown.unchanged);
  CHECK(grown.written == 4);  // 3_c up and down, the edited 1_a down, the manifest
  CHECK(grown.linked == 2);
  CHECK(inode(dist / "1_a.up.sql") == up_inode);
  CHECK(ReadFile(dist / "1_a.down.sql") == "DROP TABLE a;");
  CHECK(Bundle::Open(dist).manifest().migrations.size() == 3);
  CHECK(DiffBundle(LoadSqlite(dir / "migrations").set, dist).empty());
}

TEST_CASE("a manifest replaced after Open is refused when the entries are read", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  Bundle bundle = Bundle::Open(dir / "dist", Bundle::Verify::kListing);
  WriteFile(dir / "migrations/3_c.up.sql", "CREATE TABLE c (x);");
  WriteFile(dir / "migrations/3_c.down.sql", "DROP TABLE c;");
  WriteBundle(LoadSqlite(dir / "migrations").set, dir / "dist");  // a rebuild in between
  CHECK_THROWS_WITH(bundle.manifest(), Catch::Contains("manifest.toml changed during the run"));
}

TEST_CASE("a manifest of another format, or not TOML, is refused", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  std::string manifest = ReadFile(dir / "dist/manifest.toml");
  std::string future = manifest;
  future.replace(future.find("format = 2"), 10, "format = 3");
  CHECK_THROWS_WITH(ParseManifest(future, "m.toml"), Catch::Contains("manifest format 3"));
  CHECK_THROWS_WITH(ParseManifest("format = [", "m.toml"),
                    Catch::Contains("m.toml: not valid TOML at line 1"));
  CHECK_THROWS_WITH(ParseManifest("tool = 'x'\n", "m.toml"), Catch::Contains("'format'"));
}

TEST_CASE("build --check names files added to and missing from dist", "[unit]") {
  TempDir dir;
  MakeBundle(dir, kFiles);
  WriteFile(dir / "dist/9_extra.up.sql", "SELECT 1;");
  fs::remove(dir / "dist/1_a.down.sql");
  std::vector<std::string> diff = DiffBundle(LoadSqlite(dir / "migrations").set, dir / "dist");
  CHECK(std::find(diff.begin(), diff.end(), "9_extra.up.sql is in dist but not in the sources") !=
        diff.end());
  CHECK(std::find(diff.begin(), diff.end(), "1_a.down.sql is missing from dist") != diff.end());
  CHECK(DiffBundle(LoadSqlite(dir / "migrations").set, dir / "nowhere") ==
        std::vector<std::string>{(dir / "nowhere").string() + " does not exist"});
}
