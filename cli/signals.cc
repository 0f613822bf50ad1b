#include "signals.h"

#include <signal.h>
#include <unistd.h>

namespace migrate::cli {
namespace {

std::atomic<bool> stop_requested{false};

void OnStopSignal(int sig) {
  if (stop_requested.exchange(true)) {
    static const char kAbort[] =
        "\nmigrate: aborting at once: the migration in progress is rolled back by the database "
        "(a no-transaction one stays 'started'); the lock is freed at once on PostgreSQL, on "
        "SQLite once its lease expires or with 'migrate unlock'\n";
    ssize_t ignored = ::write(STDERR_FILENO, kAbort, sizeof kAbort - 1);
    (void)ignored;
    ::signal(sig, SIG_DFL);  // a second signal: give up at once
    // To the process, not this thread (raise): the handler may run on a watcher thread whose
    // pending signal would wait for it, while the main thread goes on.
    ::kill(::getpid(), sig);
    return;
  }
  static const char kMessage[] =
      "\nmigrate: stopping: cancelling the statement in progress (send the signal again to "
      "abort)\n";
  ssize_t ignored = ::write(STDERR_FILENO, kMessage, sizeof kMessage - 1);
  (void)ignored;
}

}  // namespace

const std::atomic<bool>* InstallStopSignals() {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  return &stop_requested;
}

void IgnoreLostOutput() {
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
}

}  // namespace migrate::cli
