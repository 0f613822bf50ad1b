// A terminal for end-to-end tests of what `migrate` draws on one: a detached tmux session
// (200 columns, 50 rows) on a tmux server of its own (its own socket, no user config), whose
// screen the test reads as text while the program runs. The server is killed at the end.
#ifndef MIGRATE_TESTS_SUPPORT_TMUX_H_
#define MIGRATE_TESTS_SUPPORT_TMUX_H_

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace migrate::testing {

class TmuxTerminal {
 public:
  // Runs `migrate args...` in `cwd` with `env` (DATABASE_URL and MIGRATE_ENV removed first),
  // through a script in `cwd` that keeps the pane open after it exits and then prints
  // "[migrate exited N]". Throws std::runtime_error when tmux cannot start.
  TmuxTerminal(const std::vector<std::string>& args, const std::filesystem::path& cwd,
               const std::map<std::string, std::string>& env = {});
  ~TmuxTerminal();
  TmuxTerminal(const TmuxTerminal&) = delete;
  TmuxTerminal& operator=(const TmuxTerminal&) = delete;

  // The screen as text (tmux capture-pane -p), trailing blank lines removed.
  std::string Capture() const;

  // Captures every `every` until `done` holds for a capture or `timeout` passes; returns every
  // capture taken, the last one last.
  std::vector<std::string> CaptureUntil(const std::function<bool(const std::string&)>& done,
                                        std::chrono::milliseconds timeout,
                                        std::chrono::milliseconds every);

 private:
  std::string socket_;
};

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_TMUX_H_
