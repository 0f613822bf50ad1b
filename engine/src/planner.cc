#include "migrate/planner.h"

#include <algorithm>
#include <map>

namespace migrate {
namespace {

// The newest applied version, or nullptr when nothing is applied.
const HistoryRow* NewestApplied(const std::vector<HistoryRow>& history) {
  const HistoryRow* newest = nullptr;
  for (const HistoryRow& row : history) {
    if (!newest || CompareVersions(row.version, newest->version) > 0) newest = &row;
  }
  return newest;
}

// REQUIRES: `history` is in version order (Driver::ReadHistory's contract).
const HistoryRow* FindRow(const std::vector<HistoryRow>& history, std::string_view version) {
  auto it = std::lower_bound(
      history.begin(), history.end(), version,
      [](const HistoryRow& r, std::string_view v) { return CompareVersions(r.version, v) < 0; });
  return it != history.end() && CompareVersions(it->version, version) == 0 ? &*it : nullptr;
}

std::string Name(const std::string& version, const std::string& slug) {
  return version + "_" + slug;
}

}  // namespace

std::vector<Finding> FindDrift(const Manifest& manifest, const std::vector<HistoryRow>& history,
                               std::string_view dialect) {
  std::vector<Finding> out;
  for (const HistoryRow& row : history) {
    std::string name = Name(row.version, row.slug);
    const ManifestEntry* entry = manifest.Find(row.version);
    if (row.state == HistoryState::kStarted) {
      const ManifestFile* up = entry ? entry->Find(Direction::kUp, dialect) : nullptr;
      std::string of = up ? " of " + std::to_string(up->statements) : "";
      std::string what =
          up && up->transaction
              ? name +
                    " has a 'started' history row, though its file runs in one transaction "
                    "(migrate never leaves such a row for it: it was written by hand, by "
                    "another tool, or while the file was no-transaction). Check what of it "
                    "is applied"
              : name + " (no-transaction) was interrupted: " + std::to_string(row.progress) + of +
                    " statements completed, statement " + std::to_string(row.progress + 1) +
                    " may be partly applied. Finish or undo it by hand";
      out.push_back(
          {Finding::Kind::kStarted, row.version,
           what + ", then run 'migrate repair " + row.version + " --applied' or '--forget'"});
      continue;
    }
    const ManifestFile* up = entry ? entry->Find(Direction::kUp, dialect) : nullptr;
    if (!up) {
      out.push_back({Finding::Kind::kMissing, row.version,
                     name + " is applied but is not in the bundle; restore its files, or "
                            "revert it with the build that had it"});
    } else if (up->sha256 != row.checksum && !row.fingerprint.empty() &&
               up->fingerprints.count(std::string(dialect)) &&
               up->fingerprints.at(std::string(dialect)) == row.fingerprint) {
      out.push_back({Finding::Kind::kReformatted, row.version,
                     up->name + " was reformatted after it was applied (its statements are the "
                                "same); nothing to do"});
    } else if (up->sha256 != row.checksum) {
      out.push_back({Finding::Kind::kChanged, row.version,
                     up->name + " changed after it was applied (applied " +
                         row.checksum.substr(0, 12) + ", now " + up->sha256.substr(0, 12) +
                         "); restore the applied file and put the change in a new migration"});
    }
  }
  const HistoryRow* newest = NewestApplied(history);
  if (newest) {
    for (const ManifestEntry& e : manifest.migrations) {
      if (CompareVersions(e.version, newest->version) >= 0) break;
      if (FindRow(history, e.version) || !e.Find(Direction::kUp, dialect)) continue;
      out.push_back({Finding::Kind::kOutOfOrder, e.version,
                     Name(e.version, e.slug) + " is pending but older than the newest applied " +
                         Name(newest->version, newest->slug) +
                         "; give it a newer version (migrate new) so it runs last"});
    }
  }
  return out;
}

Step MakeStep(const PlannedStep& planned, std::string sql, const Dialect& dialect,
              const Timeouts& defaults, int postgres_version) {
  const ManifestEntry& entry = *planned.entry;
  const ManifestFile& file = *planned.file;
  Step step;
  step.version = entry.version;
  step.slug = entry.slug;
  step.direction = planned.direction;
  step.file = file.name;
  step.sql = std::move(sql);
  step.transactional = file.transaction;
  step.lock_timeout = file.lock_timeout ? file.lock_timeout : defaults.lock;
  step.statement_timeout = file.statement_timeout ? file.statement_timeout : defaults.statement;
  step.tool_version = std::string("migrate ") + MIGRATE_VERSION;
  step.log_detail = planned.log_detail;
  const ManifestFile* up = entry.Find(Direction::kUp, dialect.Name());
  const ManifestFile* down = entry.Find(Direction::kDown, dialect.Name());
  step.checksum = up ? up->sha256 : "";
  if (up) {
    auto fp = up->fingerprints.find(std::string(dialect.Name()));
    if (fp != up->fingerprints.end()) step.fingerprint = fp->second;
  }
  step.down_checksum = down ? down->sha256 : "";
  Directives directives;
  directives.no_transaction = !file.transaction;
  Diagnostics diagnostics;
  int target = dialect.Name() == kDialectPostgres ? postgres_version : 0;
  step.statements =
      PrepareSql(dialect, step.sql, directives, file.name, diagnostics, target).statements;
  // An unchecked statement (newer than the grammar) is the server's to judge.
  std::erase_if(diagnostics, [](const Diagnostic& d) { return d.severity != Severity::kError; });
  if (!diagnostics.empty()) {
    const Diagnostic& first = diagnostics.front();
    throw Error(ErrorCode::kMigrationFailed,
                first.rule == kStatementTooLarge
                    ? first.message
                    : first.message + " (was the bundle built for " + std::string(dialect.Name()) +
                          "? add it to [project] dialects)",
                first.where);
  }
  return step;
}

bool IsComplete(const ManifestHeader& header, const std::vector<HistoryRow>& history,
                std::string_view dialect) {
  auto expected = header.complete.find(std::string(dialect));
  if (expected == header.complete.end()) return false;
  CompletionDigest digest;
  for (const HistoryRow& row : history) {
    if (!IsApplied(row.state)) return false;
    digest.Add(row.version, row.slug, row.checksum);
  }
  return digest.Hex() == expected->second;
}

Plan PlanUp(const Manifest& manifest, const std::vector<HistoryRow>& history,
            std::string_view dialect, const std::optional<std::string>& to) {
  if (to && !manifest.Find(*to)) {
    throw Error(ErrorCode::kUsage,
                "--to " + *to + ": no migration with that version in the bundle");
  }
  Plan plan;
  plan.findings = FindDrift(manifest, history, dialect);
  for (const ManifestEntry& e : manifest.migrations) {
    if (to && CompareVersions(e.version, *to) > 0) break;
    if (FindRow(history, e.version)) continue;
    const ManifestFile* up = e.Find(Direction::kUp, dialect);
    if (!up) continue;  // this migration has no file for this dialect
    plan.steps.push_back({&e, up, Direction::kUp, nullptr, ""});
  }
  return plan;
}

Plan PlanDown(const Manifest& manifest, const std::vector<HistoryRow>& history,
              std::string_view dialect, const DownTarget& target) {
  if (target.mode == DownTarget::Mode::kTo && !IsVersion(target.to)) {
    throw Error(ErrorCode::kUsage, "--to " + target.to + ": not a version");
  }
  std::vector<const HistoryRow*> applied;
  for (const HistoryRow& row : history) applied.push_back(&row);
  std::sort(applied.begin(), applied.end(), [](const HistoryRow* a, const HistoryRow* b) {
    return CompareVersions(a->version, b->version) > 0;
  });
  Plan plan;
  std::vector<Finding> drift = FindDrift(manifest, history, dialect);
  for (const HistoryRow* row : applied) {
    if (target.mode == DownTarget::Mode::kCount &&
        static_cast<int>(plan.steps.size()) >= target.count) {
      break;
    }
    if (target.mode == DownTarget::Mode::kTo && CompareVersions(row->version, target.to) <= 0) {
      break;
    }
    for (const Finding& f : drift) {
      if (f.version == row->version) plan.findings.push_back(f);
    }
    const ManifestEntry* entry = manifest.Find(row->version);
    const ManifestFile* down = entry ? entry->Find(Direction::kDown, dialect) : nullptr;
    if (entry && !down) {
      const ManifestFile* up = entry->Find(Direction::kUp, dialect);
      throw Error(ErrorCode::kUsage,
                  Name(row->version, row->slug) +
                      (up && up->irreversible ? " is irreversible ('-- migrate:irreversible')"
                                              : " has no down file") +
                      "; nothing was reverted. Stop before it with 'down --to " + row->version +
                      "'");
    }
    plan.steps.push_back({entry, down, Direction::kDown, row, ""});
  }
  return plan;
}

}  // namespace migrate
