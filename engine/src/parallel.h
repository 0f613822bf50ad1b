// ParallelFor runs fn(0) ... fn(n - 1) on every core. Each index runs exactly once; the
// order is not defined, so fn must write only to its own slot. The first exception thrown by
// any fn is rethrown after all threads have stopped.
#ifndef MIGRATE_SRC_PARALLEL_H_
#define MIGRATE_SRC_PARALLEL_H_

#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace migrate {

template <typename Fn>
void ParallelFor(std::size_t n, Fn&& fn) {
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  std::size_t workers = std::min<std::size_t>(cores, n);
  if (workers <= 1) {
    for (std::size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (std::size_t i = next++; i < n; i = next++) {
      try {
        fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  std::vector<std::thread> threads;
  for (std::size_t t = 1; t < workers; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace migrate

#endif  // MIGRATE_SRC_PARALLEL_H_
