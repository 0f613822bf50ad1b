// Ctrl-C during a long statement (docs/reliability.md): while an InterruptOnStop lives, a
// thread watches the run's stop flag (set by the CLI's signal handler) and, once it is set,
// interrupts the driver's statement in progress (Driver::Interrupt), so a run stops within a
// fraction of a second instead of waiting for the statement to end. The interrupted step
// fails and rolls back as any failing step does.
#ifndef MIGRATE_SRC_INTERRUPT_H_
#define MIGRATE_SRC_INTERRUPT_H_

#include <atomic>
#include <thread>

#include "migrate/driver.h"

namespace migrate {

class InterruptOnStop {
 public:
  // Watches nothing when `stop` is null.
  InterruptOnStop(Driver& driver, const std::atomic<bool>* stop);
  // Stops watching. Never throws.
  ~InterruptOnStop();
  InterruptOnStop(const InterruptOnStop&) = delete;
  InterruptOnStop& operator=(const InterruptOnStop&) = delete;

  // Whether the statement in progress was interrupted.
  bool fired() const { return fired_.load(); }

 private:
  std::atomic<bool> fired_{false};
  std::jthread thread_;
};

}  // namespace migrate

#endif  // MIGRATE_SRC_INTERRUPT_H_
