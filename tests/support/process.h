// Runs the real `migrate` binary as a child process, for end-to-end tests.
#ifndef MIGRATE_TESTS_SUPPORT_PROCESS_H_
#define MIGRATE_TESTS_SUPPORT_PROCESS_H_

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace migrate::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// Runs `migrate args...` in `cwd` with `env` added to the environment (DATABASE_URL and
// MIGRATE_ENV are removed first so the host cannot leak in). Kills it after `timeout_s`.
ProcessResult RunMigrate(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::map<std::string, std::string>& env = {}, int timeout_s = 120);

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_PROCESS_H_
