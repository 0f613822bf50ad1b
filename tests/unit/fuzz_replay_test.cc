// Replays the fuzz targets' seeds (fuzz/corpus/<target>/) and every input that once broke a
// target (fuzz/regressions/<target>/) through the targets' own harness (fuzz/harness.h), here
// compiled with GCC: a fixed finding stays fixed, and the harness is built and run by every
// test run, not only by scripts/fuzz.
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/harness.h"

namespace fs = std::filesystem;

namespace {

struct Target {
  const char* name;
  void (*run)(std::string_view input);
};

// As fuzz/CMakeLists.txt lists them (checked below).
const Target kTargets[] = {
    {"file_name", migrate::fuzz::FuzzFileName},
    {"directives", migrate::fuzz::FuzzDirectives},
    {"manifest", migrate::fuzz::FuzzManifest},
    {"config", migrate::fuzz::FuzzConfig},
    {"postgres_split", migrate::fuzz::FuzzPostgresSplit},
    {"sqlite_split", migrate::fuzz::FuzzSqliteSplit},
};

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The files of `dir` in name order; none when it does not exist.
std::vector<fs::path> FilesOf(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("fuzz: every seed and every past finding passes its target's harness", "[unit]") {
  const fs::path fuzz = fs::path(MIGRATE_SOURCE_DIR) / "fuzz";
  for (const Target& target : kTargets) {
    std::vector<fs::path> seeds = FilesOf(fuzz / "corpus" / target.name);
    INFO("target " << target.name);
    CHECK(!seeds.empty());
    for (const fs::path& dir :
         {fuzz / "corpus" / target.name, fuzz / "regressions" / target.name}) {
      for (const fs::path& file : FilesOf(dir)) {
        INFO(file.string());
        std::string input = Read(file);
        CHECK_NOTHROW(target.run(input));
      }
    }
  }
}

TEST_CASE("fuzz: the replay knows every target scripts/fuzz builds", "[unit]") {
  std::string cmake = Read(fs::path(MIGRATE_SOURCE_DIR) / "fuzz" / "CMakeLists.txt");
  std::size_t listed = 0;
  for (std::size_t at = cmake.find("=Fuzz"); at != std::string::npos;
       at = cmake.find("=Fuzz", at + 1)) {
    ++listed;
  }
  CHECK(listed == std::size(kTargets));
  for (const Target& target : kTargets) {
    INFO(target.name);
    CHECK(cmake.find(std::string("\n  ") + target.name + "=Fuzz") != std::string::npos);
  }
}
