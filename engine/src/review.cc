#include "migrate/review.h"

#include <map>

#include "migrate/bundle.h"
#include "migrate/manifest.h"

namespace migrate {

namespace {

std::set<std::string> SettledIn(const MigrationSet& set, const Manifest& previous) {
  std::set<std::string> settled;
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

}  // namespace

std::set<std::string> SettledFiles(const MigrationSet& set, const std::filesystem::path& dist) {
  try {
    return SettledIn(set, Bundle::Open(dist, Bundle::Verify::kListing).manifest());
  } catch (const Error&) {
    return {};  // no bundle, or one this tool cannot read: everything is new
  }
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
