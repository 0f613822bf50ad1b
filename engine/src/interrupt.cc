#include "interrupt.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

namespace migrate {

InterruptOnStop::InterruptOnStop(Driver& driver, const std::atomic<bool>* stop) {
  if (!stop) return;
  thread_ = std::jthread([this, &driver, stop](std::stop_token done) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!done.stop_requested()) {
      if (stop->load()) {
        fired_ = true;
        driver.Interrupt();
        return;
      }
      wake.wait_for(lock, done, std::chrono::milliseconds(20), [] { return false; });
    }
  });
}

InterruptOnStop::~InterruptOnStop() = default;  // the jthread asks its loop to end and joins

}  // namespace migrate
