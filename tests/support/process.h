// Runs the real `migrate` binary as a child process, for end-to-end tests.
#ifndef MIGRATE_TESTS_SUPPORT_PROCESS_H_
#define MIGRATE_TESTS_SUPPORT_PROCESS_H_

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace migrate::testing {

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed
  std::string out;
  std::string err;
};

// A started `migrate` process; its output goes to files until Wait collects it.
struct ChildProcess {
  pid_t pid = -1;
  std::shared_ptr<TempDir> io;
};

// Starts `migrate args...` in `cwd` with `env` added to the environment (DATABASE_URL and
// MIGRATE_ENV are removed first so the host cannot leak in).
ChildProcess StartMigrate(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                          const std::map<std::string, std::string>& env = {});

// StartMigrate as an unprivileged user, for tests of file permissions: when the tests run as
// root (who ignores them), through setpriv(1) as nobody (uid and gid 65534, kUnprivilegedUid);
// otherwise as the tests' own user.
ChildProcess StartMigrateUnprivileged(const std::vector<std::string>& args,
                                      const std::filesystem::path& cwd,
                                      const std::map<std::string, std::string>& env = {});
inline constexpr int kUnprivilegedUid = 65534;

// Waits for `child`, killing it after `timeout_s`.
ProcessResult Wait(ChildProcess& child, int timeout_s = 120);

// Throws when `result` holds a sanitizer report (only in a sanitizer build, scripts/test
// --sanitize, where a report ends the child with exit code 86): a test expecting any failing
// exit code must not take a report for the failure it wanted. Wait calls it.
void ThrowOnSanitizerReport(const ProcessResult& result);

// StartMigrate then Wait.
ProcessResult RunMigrate(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::map<std::string, std::string>& env = {}, int timeout_s = 120);

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_PROCESS_H_
