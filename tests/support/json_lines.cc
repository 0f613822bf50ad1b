#include "support/json_lines.h"

#include <sstream>
#include <stdexcept>

namespace migrate::testing {

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

nlohmann::json RunSummary(const std::string& out) {
  std::vector<nlohmann::json> lines = JsonLines(out);
  if (lines.empty() || lines.back().value("event", "") != "summary") {
    throw std::runtime_error("the output does not end with a summary line:\n" + out);
  }
  return lines.back();
}

std::vector<nlohmann::json> EventsOf(const std::string& out, const std::string& event) {
  std::vector<nlohmann::json> found;
  for (nlohmann::json& j : JsonLines(out)) {
    if (j.value("event", "") == event) found.push_back(std::move(j));
  }
  return found;
}

}  // namespace migrate::testing
