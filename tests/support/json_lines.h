// What `run --json` and `down --json` print: one JSON document a line (events, then the
// summary line). A line that is not one JSON document fails the test that reads it.
#ifndef MIGRATE_TESTS_SUPPORT_JSON_LINES_H_
#define MIGRATE_TESTS_SUPPORT_JSON_LINES_H_

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace migrate::testing {

// Every line of `out` parsed; throws nlohmann::json::parse_error at a line that is not JSON.
std::vector<nlohmann::json> JsonLines(const std::string& out);

// The last line of `out`, which must be the run's summary ({"event": "summary", ...});
// throws std::runtime_error when it is not.
nlohmann::json RunSummary(const std::string& out);

// The events of `out` whose "event" is `event`, in order.
std::vector<nlohmann::json> EventsOf(const std::string& out, const std::string& event);

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_JSON_LINES_H_
