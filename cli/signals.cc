#include "signals.h"

#include <signal.h>
#include <unistd.h>

namespace migrate::cli {
namespace {

std::atomic<bool> stop_requested{false};

void OnStopSignal(int sig) {
  if (stop_requested.exchange(true)) {
    ::signal(sig, SIG_DFL);  // a second signal: give up at once
    ::raise(sig);
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

}  // namespace migrate::cli
