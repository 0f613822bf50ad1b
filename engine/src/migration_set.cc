#include "migrate/migration_set.h"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "migrate/sha256.h"
#include "migrate/source_text.h"
#include "parallel.h"

namespace migrate {
namespace fs = std::filesystem;
namespace {

struct Loader {
  const std::vector<const Dialect*>& dialects;
  int postgres_version;
  Diagnostics diagnostics;

  void Report(std::string rule, SourceLocation where, std::string message) {
    diagnostics.push_back(
        {Severity::kError, std::move(rule), std::move(where), std::move(message)});
  }

  // Reads one file into `out`: its normalized text, checksum and directives. Returns false
  // (after reporting to `diags`) when it cannot be read or is not UTF-8. Thread-safe: writes
  // only to `out` and `diags`.
  static bool ReadFile(const fs::path& path, const std::string& shown, SourceFile& out,
                       Diagnostics& diags) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream buf;
    buf << in.rdbuf();
    if (!in.good() && !in.eof()) {
      diags.push_back({Severity::kError, "unreadable", SourceLocation{shown},
                       "cannot read the file; check its permissions"});
      return false;
    }
    std::string raw = buf.str();
    if (std::size_t bad = FindInvalidUtf8(raw); bad != std::string::npos) {
      LineColumn lc = LineColumnAt(raw, bad);
      diags.push_back(
          {Severity::kError, "not-utf8", SourceLocation{shown, lc.line, lc.column},
           "the file is not valid UTF-8 (byte " + std::to_string(bad) + "); re-save it as UTF-8"});
      return false;
    }
    if (std::size_t nul = raw.find('\0'); nul != std::string::npos) {
      LineColumn lc = LineColumnAt(raw, nul);
      diags.push_back({Severity::kError, "nul-byte", SourceLocation{shown, lc.line, lc.column},
                       "the file holds a NUL byte (byte " + std::to_string(nul) +
                           "), which no SQL statement can contain; remove it"});
      return false;
    }
    out.text = NormalizeSource(raw);
    out.checksum = Sha256Hex(out.text);
    out.directives = ParseDirectives(out.text, shown, diags);
    return true;
  }

  // Splits and fingerprints `file` for each dialect it applies to. Thread-safe: writes only
  // to `file` and `out`.
  void SplitFor(SourceFile& file, Diagnostics& out) const {
    bool first = true;
    for (const Dialect* d : dialects) {
      if (!file.dialect.empty() && file.dialect != d->Name()) continue;
      int target = d->Name() == kDialectPostgres ? postgres_version : 0;
      PreparedSql prepared = PrepareSql(*d, file.text, file.directives, file.path, out, target);
      file.fingerprints[std::string(d->Name())] = d->Fingerprint(file.text);
      if (first) file.statements = static_cast<int>(prepared.statements.size());
      first = false;
    }
  }

  // Appends the migration files of `dir` to `files` and their paths to `paths` (reporting
  // bad names); their contents are read later.
  void ListDir(const SourceDir& dir, std::vector<SourceFile>& files,
               std::vector<std::string>& paths) {
    std::error_code ec;
    if (!fs::is_directory(dir.path, ec)) {
      Report("missing-folder", {dir.label},
             "the migrations folder does not exist; create it or fix [project] migrations");
      return;
    }
    std::vector<fs::directory_entry> entries;
    for (const auto& e : fs::directory_iterator(dir.path, ec)) entries.push_back(e);
    std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return a.path().filename() < b.path().filename();
    });
    // Exact capacity: 20000 SourceFiles are most of a large build's memory.
    files.reserve(files.size() + entries.size());
    paths.reserve(paths.size() + entries.size());
    for (const auto& entry : entries) {
      std::string name = entry.path().filename().string();
      std::string shown = PrintableName((fs::path(dir.label) / name).string());
      if (entry.is_directory(ec)) {
        if (entry.path().extension() == ".sql") {
          Report("bad-name", {shown}, "a folder named like a migration; it never runs");
        }
        continue;
      }
      if (std::string ext = entry.path().extension().string(); ext != ".sql") {
        // A `.SQL` file is a migration someone meant to run: never skipped silently.
        if (ext.size() == 4 && (ext[1] | 0x20) == 's' && (ext[2] | 0x20) == 'q' &&
            (ext[3] | 0x20) == 'l') {
          Report("bad-name", {shown},
                 "the extension is '" + ext +
                     "': migrate reads '.sql' files only (lowercase); rename it, or it never runs");
        }
        continue;
      }
      std::string why;
      auto parsed = ParseMigrationFileName(name, &why);
      if (!parsed) {
        Report("bad-name", {shown}, PrintableName(why));
        continue;
      }
      SourceFile f;
      f.name = name;
      f.version = parsed->version;
      f.slug = parsed->slug;
      f.path = shown;
      f.source = dir.label;
      f.dialect = parsed->dialect;
      f.direction = parsed->direction;
      paths.push_back(entry.path().native());
      files.push_back(std::move(f));
    }
  }

  void CheckPairs(const Migration& m) {
    bool any_up = std::any_of(m.files.begin(), m.files.end(),
                              [](const SourceFile& f) { return f.direction == Direction::kUp; });
    if (!any_up) {
      for (const SourceFile& f : m.files) {
        Report("stray-down", {f.path},
               "a down file without an up; add " + m.version + "_" + m.slug +
                   ".up.sql or delete this file");
      }
      return;
    }
    for (const Dialect* d : dialects) {
      const SourceFile* up = FindFile(m, Direction::kUp, d->Name());
      const SourceFile* down = FindFile(m, Direction::kDown, d->Name());
      std::string base = m.version + "_" + m.slug;
      if (!up) {
        Report("missing-up", {m.files.front().path},
               "no up file for " + std::string(d->Name()) + ": add " + base + ".up.sql or " + base +
                   "." + std::string(d->Name()) + ".up.sql");
        continue;
      }
      if (!down && !up->directives.irreversible) {
        Report("missing-down", {up->path},
               "no down file" + (dialects.size() > 1 ? " for " + std::string(d->Name()) : "") +
                   ": add " + base +
                   ".down.sql, or write '-- migrate:irreversible' at the top "
                   "of the up file");
      }
      if (down && up->directives.irreversible) {
        Report("irreversible-with-down", {down->path},
               "the up file says '-- migrate:irreversible' but this down exists; delete one "
               "of the two");
      }
    }
  }

  // Groups files by numeric version and checks that each version is one migration.
  MigrationSet Group(std::vector<SourceFile> files) {
    std::stable_sort(files.begin(), files.end(), [](const SourceFile& a, const SourceFile& b) {
      return CompareVersions(a.version, b.version) < 0;
    });
    MigrationSet set;
    set.migrations.reserve(files.size() / 2 + 1);
    for (SourceFile& f : files) {
      if (set.migrations.empty() ||
          CompareVersions(set.migrations.back().version, f.version) != 0) {
        set.migrations.push_back(Migration{f.version, f.slug, {}});
      }
      Migration& m = set.migrations.back();
      const SourceFile* first = m.files.empty() ? nullptr : &m.files.front();
      if (first && (first->source != f.source || m.slug != f.slug || m.version != f.version)) {
        Report("duplicate-version", {f.path},
               "version " + f.version + " is already used by " + first->path +
                   "; give one of them a new version (migrate new)");
        continue;
      }
      bool twin = std::any_of(m.files.begin(), m.files.end(), [&](const SourceFile& o) {
        return o.dialect == f.dialect && o.direction == f.direction;
      });
      if (twin) {
        Report("duplicate-version", {f.path},
               "a second " + std::string(DirectionName(f.direction)) + " file for version " +
                   f.version);
        continue;
      }
      m.files.push_back(std::move(f));
    }
    for (Migration& m : set.migrations) {
      std::sort(m.files.begin(), m.files.end(),
                [](const SourceFile& a, const SourceFile& b) { return a.name < b.name; });
      CheckPairs(m);
    }
    return set;
  }
};

}  // namespace

const SourceFile* FindFile(const Migration& m, Direction direction, std::string_view dialect) {
  const SourceFile* generic = nullptr;
  for (const SourceFile& f : m.files) {
    if (f.direction != direction) continue;
    if (f.dialect == dialect) return &f;
    if (f.dialect.empty()) generic = &f;
  }
  return generic;
}

LoadResult LoadMigrationSet(const std::vector<SourceDir>& dirs,
                            const std::vector<const Dialect*>& dialects, int postgres_version) {
  Loader loader{dialects, postgres_version, {}};
  std::vector<SourceFile> files;
  std::vector<std::string> paths;
  for (const SourceDir& dir : dirs) loader.ListDir(dir, files, paths);
  // Reading and parsing are the expensive part of a build: spread them over the cores, then
  // report in file order so the output stays deterministic. An unreadable file still counts
  // for pairing, so that its twin is not reported as stray as well.
  std::vector<Diagnostics> per_file(files.size());
  ParallelFor(files.size(), [&](std::size_t i) {
    if (Loader::ReadFile(paths[i], files[i].path, files[i], per_file[i])) {
      loader.SplitFor(files[i], per_file[i]);
    }
  });
  for (Diagnostics& d : per_file) {
    for (Diagnostic& one : d) loader.diagnostics.push_back(std::move(one));
  }
  LoadResult result;
  result.set = loader.Group(std::move(files));
  result.diagnostics = std::move(loader.diagnostics);
  return result;
}

}  // namespace migrate
