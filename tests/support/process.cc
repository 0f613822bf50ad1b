#include "support/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <thread>

namespace migrate::testing {

namespace {

// Starts `bin args...` as StartMigrate does.
ChildProcess Start(std::string bin, const std::vector<std::string>& args,
                   const std::filesystem::path& cwd,
                   const std::map<std::string, std::string>& env) {
  ChildProcess child;
  child.io = std::make_shared<TempDir>();
  std::string out_path = (*child.io / "out").string();
  std::string err_path = (*child.io / "err").string();
  std::vector<std::string> copy = args;
  std::vector<char*> argv{bin.data()};
  for (std::string& a : copy) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int err = ::open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(err, 2);
    ::unsetenv("DATABASE_URL");
    ::unsetenv("MIGRATE_ENV");
    for (const auto& [k, v] : env) ::setenv(k.c_str(), v.c_str(), 1);
    ::execv(bin.c_str(), argv.data());
    ::_exit(127);
  }
  child.pid = pid;
  return child;
}

}  // namespace

ChildProcess StartMigrate(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                          const std::map<std::string, std::string>& env) {
  return Start(MIGRATE_BINARY, args, cwd, env);
}

ChildProcess StartMigrateUnprivileged(const std::vector<std::string>& args,
                                      const std::filesystem::path& cwd,
                                      const std::map<std::string, std::string>& env) {
  if (::geteuid() != 0) return StartMigrate(args, cwd, env);
  std::string id = std::to_string(kUnprivilegedUid);
  std::vector<std::string> with = {"--reuid=" + id, "--regid=" + id, "--clear-groups",
                                   MIGRATE_BINARY};
  with.insert(with.end(), args.begin(), args.end());
  return Start("/usr/bin/setpriv", with, cwd, env);
}

ProcessResult Wait(ChildProcess& child, int timeout_s) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  int status = 0;
  for (;;) {
    pid_t r = ::waitpid(child.pid, &status, WNOHANG);
    if (r == child.pid) break;
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(child.pid, SIGKILL);
      ::waitpid(child.pid, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadFile(*child.io / "out");
  result.err = ReadFile(*child.io / "err");
  ThrowOnSanitizerReport(result);
  return result;
}

void ThrowOnSanitizerReport(const ProcessResult& result) {
#if defined(__SANITIZE_ADDRESS__)
  constexpr int kSanitizerExitCode = 86;  // ASAN_OPTIONS and UBSAN_OPTIONS in scripts/test
  for (const char* mark :
       {"ERROR: AddressSanitizer", "ERROR: LeakSanitizer", ": runtime error: "}) {
    if (result.exit_code == kSanitizerExitCode || result.err.find(mark) != std::string::npos) {
      throw std::runtime_error("migrate exited " + std::to_string(result.exit_code) +
                               " with a sanitizer report:\n" + result.err);
    }
  }
#else
  (void)result;
#endif
}

ProcessResult RunMigrate(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                         const std::map<std::string, std::string>& env, int timeout_s) {
  ChildProcess child = StartMigrate(args, cwd, env);
  return Wait(child, timeout_s);
}

}  // namespace migrate::testing
