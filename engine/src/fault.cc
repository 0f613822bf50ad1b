#include "migrate/fault.h"

#ifdef MIGRATE_FAULTS
#include <signal.h>

#include <cstdlib>
#include <string>

namespace migrate {
namespace {

// One of the variables: NAME[:N], and how often NAME was reached.
struct Trigger {
  explicit Trigger(const char* variable) {
    const char* at = std::getenv(variable);
    std::string wanted = at ? at : "";
    point = wanted.substr(0, wanted.find(':'));
    if (wanted.find(':') != std::string::npos) nth = std::atol(wanted.c_str() + point.size() + 1);
  }
  // Whether this is the Nth time `name` is reached.
  bool Fires(const char* name) { return !point.empty() && point == name && ++hits == nth; }

  std::string point;
  long nth = 1;
  long hits = 0;
};

}  // namespace

void CrashPoint(const char* name) {
  static Trigger crash("MIGRATE_CRASH_AT");
  static Trigger stop("MIGRATE_STOP_AT");
  if (crash.Fires(name)) ::raise(SIGKILL);
  if (stop.Fires(name)) ::raise(SIGSTOP);
}

}  // namespace migrate
#endif
