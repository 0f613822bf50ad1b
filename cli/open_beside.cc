#include "open_beside.h"

#include <future>

namespace migrate::cli {

Opened OpenBeside(const std::function<Bundle()>& open_bundle,
                  const std::function<std::unique_ptr<Driver>()>& open_database,
                  bool read_history) {
  // The bundle on the thread, the database here: SQLite's schema, read with the history, is
  // most of the allocations, and a second thread's malloc arena grows page by page.
  std::future<Bundle> bundle = std::async(std::launch::async, open_bundle);
  std::unique_ptr<Driver> driver;
  std::optional<std::vector<HistoryRow>> history;
  try {
    driver = open_database();
    if (read_history) history = driver->ReadHistory();
  } catch (...) {
    driver.reset();
    bundle.get();  // a bundle that failed is the error to report
    throw;
  }
  return Opened{bundle.get(), std::move(driver), std::move(history)};
}

}  // namespace migrate::cli
