#include "migrate/tool_history.h"

#include <algorithm>
#include <map>
#include <set>

#include "migrate/error.h"
#include "migrate/naming.h"

namespace migrate {
namespace {

std::string Cell(const TextRow& row, std::size_t i) {
  return i < row.size() && row[i] ? *row[i] : "";
}

// A boolean as PostgreSQL ("true", "t") or SQLite ("1") writes it as text.
bool Truthy(const TextRow& row, std::size_t i) {
  std::string cell = Cell(row, i);
  return cell == "t" || cell == "true" || cell == "TRUE" || cell == "1";
}

// `cell` as a version, or Error(kUsage) naming the table.
std::string VersionIn(const std::string& cell, const std::string& table) {
  if (!IsVersion(cell)) {
    throw Error(ErrorCode::kUsage, table + " holds the version '" + PrintableName(cell) +
                                       "', which is not 1 to 20 digits: convert its history by "
                                       "hand and use 'migrate baseline VERSION'");
  }
  return cell;
}

// `version` without leading zeros ("0" for zero); a non-version as it is.
std::string Number(const std::string& version) {
  std::size_t first = version.find_first_not_of('0');
  if (!IsVersion(version)) return version;
  return first == std::string::npos ? "0" : version.substr(first);
}

struct Applied {
  std::set<std::string> versions;    // the tool's spelling
  std::optional<std::string> up_to;  // golang-migrate's current version, Flyway's baseline
};

Applied GolangMigrate(const std::vector<TextRow>& rows, const std::string& table) {
  if (rows.size() != 1) {
    throw Error(ErrorCode::kUsage, table + " has " + std::to_string(rows.size()) +
                                       " rows; golang-migrate keeps exactly one (its current "
                                       "version): is this golang-migrate's table?");
  }
  if (Truthy(rows[0], 1)) {  // before the version: a failed first down leaves -1, dirty
    std::string version = PrintableName(Cell(rows[0], 0));
    throw Error(ErrorCode::kUsage,
                "golang-migrate left version " + version + " dirty in " + table +
                    " (it failed half-way): finish or undo it by hand, run 'migrate force " +
                    version + "' with golang-migrate, then baseline");
  }
  std::string version = VersionIn(Cell(rows[0], 0), table);
  return {{version}, version};
}

Applied Goose(std::vector<TextRow> rows, const std::string& table) {
  // Columns: version_id, is_applied, id. The newest row of a version says whether it is applied.
  std::sort(rows.begin(), rows.end(), [](const TextRow& a, const TextRow& b) {
    return CompareVersions(Cell(a, 2).empty() ? "0" : Cell(a, 2),
                           Cell(b, 2).empty() ? "0" : Cell(b, 2)) < 0;
  });
  std::map<std::string, bool> state;
  for (const TextRow& row : rows) {
    std::string version = VersionIn(Cell(row, 0), table);
    if (CompareVersions(version, "0") != 0) state[version] = Truthy(row, 1);  // 0: goose's own
  }
  Applied applied;
  for (const auto& [version, on] : state) {
    if (on) applied.versions.insert(version);
  }
  return applied;
}

Applied Flyway(std::vector<TextRow> rows, const std::string& table) {
  // Columns: version, type, success, installed_rank. Read in the order Flyway wrote them.
  std::sort(rows.begin(), rows.end(), [](const TextRow& a, const TextRow& b) {
    return CompareVersions(Cell(a, 3).empty() ? "0" : Cell(a, 3),
                           Cell(b, 3).empty() ? "0" : Cell(b, 3)) < 0;
  });
  Applied applied;
  for (const TextRow& row : rows) {
    std::string version = Cell(row, 0), type = Cell(row, 1);
    if (version.empty() || type == "SCHEMA") continue;  // repeatable, or Flyway's own marker
    if (!Truthy(row, 2)) {
      throw Error(ErrorCode::kUsage, "Flyway recorded version " + version + " as failed in " +
                                         table +
                                         ": finish or undo it by hand and run 'flyway "
                                         "repair', then baseline");
    }
    if (type == "UNDO_SQL" || type == "DELETE") {
      applied.versions.erase(version);
    } else if (type == "BASELINE" || type.ends_with("_BASELINE")) {
      // Flyway took everything up to it as applied (a baseline marker, or a Teams baseline
      // migration that stands for all before it).
      if (type != "BASELINE") applied.versions.insert(version);
      applied.up_to = version;
    } else {
      applied.versions.insert(version);
    }
  }
  return applied;
}

Applied Listed(const std::vector<TextRow>& rows, const std::string& table) {
  Applied applied;  // dbmate: version; TypeORM: timestamp, name
  for (const TextRow& row : rows) applied.versions.insert(VersionIn(Cell(row, 0), table));
  return applied;
}

// Ours for each of `theirs`: Flyway's mapped onto the bundle, the others as they are; a
// number the bundle has is spelled as the bundle spells it.
std::map<std::string, std::string> Spell(ImportSource source, const std::set<std::string>& theirs,
                                         const std::vector<std::string>& bundle_versions) {
  std::vector<std::string> in(theirs.begin(), theirs.end());
  std::vector<std::string> ours =
      source == ImportSource::kFlyway ? MapFlywayVersions(in, bundle_versions) : in;
  // The bundle's spelling of each number: tools that keep versions as integers (golang-migrate,
  // goose, TypeORM) record 3 for a file named 003_….
  std::map<std::string, std::string> bundle;
  for (const std::string& v : bundle_versions) bundle[Number(v)] = v;
  std::map<std::string, std::string> out;
  for (std::size_t i = 0; i < in.size(); ++i) {
    auto it = IsVersion(ours[i]) ? bundle.find(Number(ours[i])) : bundle.end();
    out[in[i]] = it != bundle.end() ? it->second : ours[i];
  }
  return out;
}

}  // namespace

ToolTable ToolHistoryTable(ImportSource source) {
  switch (source) {
    case ImportSource::kGolangMigrate:
      return {"schema_migrations", {"version", "dirty"}};
    case ImportSource::kDbmate:
      return {"schema_migrations", {"version"}};
    case ImportSource::kGoose:
      return {"goose_db_version", {"version_id", "is_applied", "id"}};
    case ImportSource::kFlyway:
      return {"flyway_schema_history", {"version", "type", "success", "installed_rank"}};
    case ImportSource::kTypeorm:
      return {"migrations", {"timestamp", "name"}};
  }
  throw Error(ErrorCode::kInternal, "unknown import source");
}

std::vector<std::string> ToolAppliedVersions(ImportSource source, const std::vector<TextRow>& rows,
                                             const std::vector<std::string>& bundle_versions,
                                             const std::string& table) {
  std::string tool(ImportSourceName(source));
  if (rows.empty()) {
    throw Error(ErrorCode::kUsage, table + " is empty: " + tool +
                                       " has applied nothing here, so there is nothing to "
                                       "baseline; use 'migrate run'");
  }
  Applied applied = source == ImportSource::kGolangMigrate ? GolangMigrate(rows, table)
                    : source == ImportSource::kGoose       ? Goose(rows, table)
                    : source == ImportSource::kFlyway      ? Flyway(rows, table)
                                                           : Listed(rows, table);
  std::set<std::string> theirs = applied.versions;
  if (applied.up_to) theirs.insert(*applied.up_to);
  std::map<std::string, std::string> ours = Spell(source, theirs, bundle_versions);
  std::set<std::string> bundle(bundle_versions.begin(), bundle_versions.end());
  std::set<std::string> result;
  std::string missing;
  int missing_count = 0;
  for (const std::string& v : applied.versions) {
    if (bundle.count(ours[v])) {
      result.insert(ours[v]);
    } else if (++missing_count <= 10) {
      missing += (missing.empty() ? "" : ", ") + v;
    }
  }
  if (missing_count > 0) {
    throw Error(ErrorCode::kUsage, tool + " applied " + std::to_string(missing_count) +
                                       " migration(s) the bundle lacks (" + missing +
                                       (missing_count > 10 ? ", …" : "") +
                                       "): import their files with 'migrate import --from " + tool +
                                       "', build, and baseline again");
  }
  if (applied.up_to) {  // every version up to it counts as applied
    if (!IsVersion(ours[*applied.up_to])) {
      throw Error(ErrorCode::kUsage, "cannot place " + tool + "'s version " + *applied.up_to +
                                         " among the bundle's versions: use 'migrate baseline "
                                         "VERSION' with the newest version it has applied");
    }
    for (const std::string& v : bundle_versions) {
      if (CompareVersions(v, ours[*applied.up_to]) <= 0) result.insert(v);
    }
  }
  if (result.empty()) {
    throw Error(ErrorCode::kUsage, tool + "'s history in " + table +
                                       " applies none of the bundle's migrations: there is "
                                       "nothing to baseline; use 'migrate run'");
  }
  std::vector<std::string> sorted(result.begin(), result.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const std::string& a, const std::string& b) { return CompareVersions(a, b) < 0; });
  return sorted;
}

}  // namespace migrate
