// Durations as users write them in directives, config.toml and flags: "500ms", "5s", "10min"
// (also "1m"), "2h".
#ifndef MIGRATE_DURATION_H_
#define MIGRATE_DURATION_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace migrate {

// Parses "500ms", "5s", "10min", "2h" (also "1m" for a minute). Returns nullopt when bad.
std::optional<std::chrono::milliseconds> ParseDuration(std::string_view text);

// "500ms", "5s", "10min": the shortest exact form of `d`.
std::string FormatDuration(std::chrono::milliseconds d);

}  // namespace migrate

#endif  // MIGRATE_DURATION_H_
