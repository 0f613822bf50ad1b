#include "migrate/rehearsal.h"

#include <chrono>
#include <map>

#include "migrate/lock.h"
#include "migrate/manifest.h"
#include "migrate/planner.h"

namespace migrate {
namespace {

using Objects = std::vector<CatalogObject>;

class BuildRehearsal {
 public:
  BuildRehearsal(Driver& d, const MigrationSet& set)
      : d_(d), set_(set), dialect_(d.GetDialect().Name()) {}

  Diagnostics Run() {
    d_.EnsureMetadata();
    lease_ = MakeLockRequest(std::chrono::hours(24));
    if (!d_.TryLock(lease_).acquired) {
      throw Error(ErrorCode::kInternal, "the scratch database for the rehearsal is in use");
    }
    // The round trip covers the migrations above the newest irreversible one. Only three
    // snapshots are taken, so time and memory stay linear in the size of the set.
    std::vector<std::size_t> ups;  // indexes into set_.migrations of those with an up
    for (std::size_t i = 0; i < set_.migrations.size(); ++i) {
      if (FindFile(set_.migrations[i], Direction::kUp, dialect_)) ups.push_back(i);
    }
    std::size_t from = ups.size();
    while (from > 0 && FindFile(set_.migrations[ups[from - 1]], Direction::kDown, dialect_)) {
      --from;
    }
    Objects start;
    for (std::size_t k = 0; k < ups.size(); ++k) {
      if (k == from) start = Snapshot();
      const Migration& m = set_.migrations[ups[k]];
      if (!Apply(m, *FindFile(m, Direction::kUp, dialect_), "")) return out_;
    }
    if (from == ups.size()) return Done();  // nothing can be reverted
    Objects full = Snapshot();
    for (std::size_t k = ups.size(); k-- > from;) {
      const Migration& m = set_.migrations[ups[k]];
      if (!Apply(m, *FindFile(m, Direction::kDown, dialect_), "")) return out_;
    }
    if (!CheckRoundTrip(start, ups, from)) return out_;
    for (std::size_t k = from; k < ups.size(); ++k) {
      const Migration& m = set_.migrations[ups[k]];
      if (!Apply(m, *FindFile(m, Direction::kUp, dialect_), " again, after the downs")) {
        return out_;
      }
    }
    std::string diff = DescribeChanges(DiffCatalogs(full, Snapshot()));
    if (!diff.empty()) {
      Report(Severity::kError, "round-trip", set_.migrations.back().files.front().path,
             "applying every up again after every down gives a different schema: " + diff);
    }
    return Done();
  }

 private:
  bool Apply(const Migration& m, const SourceFile& f, const std::string& when) {
    try {
      // The step `run` would make of this file's bundle entry.
      ManifestEntry entry = MakeManifestEntry(m);
      const ManifestFile* file = entry.Find(f.direction, dialect_);
      Step step = MakeStep({&entry, file, f.direction, nullptr, ""}, f.text, d_.GetDialect(), {});
      step.file = f.path;  // messages name the source file, not the bundle's copy
      d_.Apply(step, lease_);
      return true;
    } catch (const Error& e) {
      std::string what = e.what();
      // The driver's message starts with the location; the diagnostic carries it apart.
      std::string loc = e.where().ToString();
      if (!loc.empty() && what.rfind(loc + ": ", 0) == 0) what = what.substr(loc.size() + 2);
      out_.push_back(
          {Severity::kError, "rehearsal",
           e.where().file.empty() ? SourceLocation{f.path} : e.where(),
           "fails on a scratch " + std::string(dialect_) + " database" + when + ": " + what});
      return false;
    }
  }

  Diagnostics Done() {
    d_.ReleaseLock(lease_);
    return out_;
  }

  // After the downs, the schema must be what it was before the first reverted up. Each
  // difference is blamed on the down of the newest migration whose up names that object.
  bool CheckRoundTrip(const Objects& start, const std::vector<std::size_t>& ups, std::size_t from) {
    std::vector<CatalogChange> changes = DiffCatalogs(start, Snapshot());
    if (changes.empty()) return true;
    std::map<std::size_t, std::vector<CatalogChange>> blame;  // index into ups → changes
    for (CatalogChange& c : changes) {
      std::string name = c.object.name.substr(c.object.name.rfind('.') + 1);
      std::size_t who = from;
      for (std::size_t k = ups.size(); k-- > from;) {
        const SourceFile* up = FindFile(set_.migrations[ups[k]], Direction::kUp, dialect_);
        if (up->text.find(name) != std::string::npos) {
          who = k;
          break;
        }
      }
      blame[who].push_back(std::move(c));
    }
    for (const auto& [k, mine] : blame) {
      const Migration& m = set_.migrations[ups[k]];
      Report(Severity::kError, "down-leftover", FindFile(m, Direction::kDown, dialect_)->path,
             "after every down the schema is not what it was before the first up, and this "
             "down is the one that should have undone it: " +
                 DescribeChanges(mine));
    }
    return false;
  }

  Objects Snapshot() { return Describe(d_.ReadCatalog()); }

  void Report(Severity severity, const std::string& rule, const std::string& file,
              const std::string& message) {
    out_.push_back({severity, rule, SourceLocation{file}, message});
  }

  Driver& d_;
  const MigrationSet& set_;
  std::string_view dialect_;
  LockRequest lease_;
  Diagnostics out_;
};

}  // namespace

Diagnostics RehearseChain(Driver& scratch, const MigrationSet& set) {
  return BuildRehearsal(scratch, set).Run();
}

std::string DescribeChanges(const std::vector<CatalogChange>& changes) {
  std::string parts[3];  // left over, missing, changed
  for (const CatalogChange& c : changes) {
    std::string& part = parts[c.kind == CatalogChange::Kind::kAdded     ? 0
                              : c.kind == CatalogChange::Kind::kRemoved ? 1
                                                                        : 2];
    part += (part.empty() ? "" : ", ") + c.object.kind + " " + c.object.name;
  }
  const char* kLabels[3] = {"left over: ", "missing: ", "changed: "};
  std::string out;
  for (int i = 0; i < 3; ++i) {
    if (!parts[i].empty()) out += (out.empty() ? "" : "; ") + std::string(kLabels[i]) + parts[i];
  }
  return out;
}

}  // namespace migrate
