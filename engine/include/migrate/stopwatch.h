// Elapsed wall time in whole milliseconds, for the durations migrate records and prints.
#ifndef MIGRATE_STOPWATCH_H_
#define MIGRATE_STOPWATCH_H_

#include <chrono>

namespace migrate {

inline long long MillisSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

}  // namespace migrate

#endif  // MIGRATE_STOPWATCH_H_
