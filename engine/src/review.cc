#include "migrate/review.h"

#include <fstream>
#include <map>
#include <sstream>

#include "migrate/manifest.h"

namespace migrate {

std::set<std::string> SettledFiles(const MigrationSet& set, const std::filesystem::path& dist) {
  std::set<std::string> settled;
  std::filesystem::path path = dist / kManifestName;
  std::ifstream in(path, std::ios::binary);
  if (!in) return settled;
  std::ostringstream text;
  text << in.rdbuf();
  Manifest previous;
  try {
    previous = ParseManifest(text.str(), path.string());
  } catch (const Error&) {
    return settled;  // a bundle this tool cannot read: everything is new
  }
  for (const Migration& m : set.migrations) {
    const ManifestEntry* entry = previous.Find(m.version);
    if (!entry) continue;
    for (const SourceFile& f : m.files) {
      for (const ManifestFile& held : entry->files) {
        if (held.name == f.name && held.sha256 == f.checksum) settled.insert(f.path);
      }
    }
  }
  return settled;
}

Review ReviewFindings(const Diagnostics& diagnostics, const std::set<std::string>& settled,
                      bool all) {
  Review review;
  std::map<std::string, std::pair<int, std::set<std::string>>> by_rule;
  for (const Diagnostic& d : diagnostics) {
    if (all || d.severity == Severity::kError || !settled.count(d.where.file)) {
      review.listed.push_back(d);
      continue;
    }
    auto& [count, files] = by_rule[d.rule];
    ++count;
    files.insert(d.where.file);
    ++review.summed_findings;
  }
  for (const auto& [rule, found] : by_rule) {
    review.summed.push_back({rule, found.first, static_cast<int>(found.second.size())});
  }
  return review;
}

}  // namespace migrate
