#include "support/tmux.h"

#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "support/temp_dir.h"

namespace migrate::testing {
namespace {

std::string Quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs a shell command and returns its standard output.
std::string Output(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("cannot run " + command);
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

}  // namespace

TmuxTerminal::TmuxTerminal(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                           const std::map<std::string, std::string>& env) {
  static std::atomic<int> counter{0};
  socket_ = "migrate-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::string script = "unset DATABASE_URL MIGRATE_ENV TMUX\ncd " + Quoted(cwd.string()) + "\n";
  for (const auto& [k, v] : env) script += "export " + k + "=" + Quoted(v) + "\n";
  script += Quoted(MIGRATE_BINARY);
  for (const std::string& a : args) script += " " + Quoted(a);
  script += "\necho \"[migrate exited $?]\"\nexec sleep 600\n";
  std::filesystem::path path = cwd / ("tmux-" + socket_ + ".sh");
  WriteFile(path, script);
  std::string start = "env -u TMUX tmux -L " + socket_ +
                      " -f /dev/null new-session -d -x 200 -y 50 sh " + Quoted(path.string());
  if (std::system(start.c_str()) != 0) throw std::runtime_error("cannot start tmux: " + start);
}

TmuxTerminal::~TmuxTerminal() {
  std::string stop = "tmux -L " + socket_ + " kill-server 2>/dev/null";
  (void)std::system(stop.c_str());
}

std::string TmuxTerminal::Capture() const {
  std::string screen = Output("tmux -L " + socket_ + " capture-pane -p 2>/dev/null");
  while (!screen.empty() && (screen.back() == '\n' || screen.back() == ' ')) screen.pop_back();
  return screen;
}

std::vector<std::string> TmuxTerminal::CaptureUntil(
    const std::function<bool(const std::string&)>& done, std::chrono::milliseconds timeout,
    std::chrono::milliseconds every) {
  std::vector<std::string> captures;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  do {
    captures.push_back(Capture());
    if (done(captures.back())) break;
    std::this_thread::sleep_for(every);
  } while (std::chrono::steady_clock::now() < deadline);
  return captures;
}

}  // namespace migrate::testing
