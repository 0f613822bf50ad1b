// What is new since the last build, for review (docs/design.md §6): a build lists in full
// the findings of the migrations it has not bundled before, and sums up those of migrations
// the previous bundle already held, unchanged, in one line per rule — so the two findings of
// today's change do not drown in the hundreds of a long history. Pure decisions, apart from
// reading the previous manifest.
#ifndef MIGRATE_REVIEW_H_
#define MIGRATE_REVIEW_H_

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "migrate/error.h"
#include "migrate/migration_set.h"

namespace migrate {

// The files of `set` (their SourceFile::path, as diagnostics name them) that the bundle in
// `dist` already holds with the same bytes. Empty when there is no bundle, or one this tool
// cannot read: then everything is new. Never throws for a missing or bad bundle.
std::set<std::string> SettledFiles(const MigrationSet& set, const std::filesystem::path& dist);

// The warnings of one rule in settled files, summed up.
struct RuleSummary {
  std::string rule;
  int findings = 0;
  int files = 0;
};

struct Review {
  Diagnostics listed;               // in full: every error, and warnings of new files
  std::vector<RuleSummary> summed;  // settled files' warnings, by rule (rule order)
  int summed_findings = 0;
};

// Splits `diagnostics` for display. With `all`, everything is listed.
Review ReviewFindings(const Diagnostics& diagnostics, const std::set<std::string>& settled,
                      bool all);

}  // namespace migrate

#endif  // MIGRATE_REVIEW_H_
