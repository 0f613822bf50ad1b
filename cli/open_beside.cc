#include "open_beside.h"

#include <future>

namespace migrate::cli {
namespace {

struct Database {
  std::unique_ptr<Driver> driver;
  std::optional<std::vector<HistoryRow>> history;
};

}  // namespace

Opened OpenBeside(const std::function<Bundle()>& open_bundle,
                  const std::function<std::unique_ptr<Driver>()>& open_database,
                  bool read_history) {
  std::future<Database> database = std::async(std::launch::async, [&] {
    Database d{open_database(), std::nullopt};
    if (read_history) d.history = d.driver->ReadHistory();
    return d;
  });
  std::optional<Bundle> bundle;
  try {
    bundle.emplace(open_bundle());
  } catch (...) {
    database.wait();  // the connection, if any, is closed when the future goes
    throw;
  }
  Database d = database.get();
  return Opened{std::move(*bundle), std::move(d.driver), std::move(d.history)};
}

}  // namespace migrate::cli
