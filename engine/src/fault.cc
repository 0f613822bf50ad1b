#include "migrate/fault.h"

#ifdef MIGRATE_FAULTS
#include <signal.h>

#include <cstdlib>
#include <string>

namespace migrate {

void CrashPoint(const char* name) {
  static const std::string wanted = [] {
    const char* at = std::getenv("MIGRATE_CRASH_AT");
    return std::string(at ? at : "");
  }();
  static long hits = 0;
  if (wanted.empty()) return;
  std::string point = wanted.substr(0, wanted.find(':'));
  if (point != name) return;
  long nth =
      wanted.find(':') == std::string::npos ? 1 : std::atol(wanted.c_str() + point.size() + 1);
  if (++hits == nth) ::raise(SIGKILL);
}

}  // namespace migrate
#endif
