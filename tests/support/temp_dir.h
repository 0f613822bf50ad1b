// Test helpers for the file system: a temporary folder removed at the end of the test, and
// whole-file reads and writes.
#ifndef MIGRATE_TESTS_SUPPORT_TEMP_DIR_H_
#define MIGRATE_TESTS_SUPPORT_TEMP_DIR_H_

#include <filesystem>
#include <map>
#include <string>

namespace migrate::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

 private:
  std::filesystem::path path_;
};

// Writes `bytes` to `path`, creating parent folders.
void WriteFile(const std::filesystem::path& path, const std::string& bytes);
std::string ReadFile(const std::filesystem::path& path);

// Every regular file under `dir` (relative name → bytes), for before/after comparisons.
std::map<std::string, std::string> Snapshot(const std::filesystem::path& dir);

// The repository root and the shared folder beside it (../shared).
std::filesystem::path SourceDir();
std::filesystem::path SharedDir();

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_TEMP_DIR_H_
