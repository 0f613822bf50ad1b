#include "migrate/rehearsal.h"

#include <chrono>
#include <map>
#include <set>

#include "migrate/lock.h"
#include "migrate/manifest.h"
#include "migrate/planner.h"

namespace migrate {
namespace {

class Rehearsal {
 public:
  Rehearsal(Driver& d, const MigrationSet& set)
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
    std::vector<SchemaObject> start;
    for (std::size_t k = 0; k < ups.size(); ++k) {
      if (k == from) start = d_.SnapshotSchema();
      const Migration& m = set_.migrations[ups[k]];
      if (!Apply(m, *FindFile(m, Direction::kUp, dialect_), "")) return out_;
    }
    if (from == ups.size()) return Done();  // nothing can be reverted
    std::vector<SchemaObject> full = d_.SnapshotSchema();
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
    std::string diff = DescribeSchemaDiff(full, d_.SnapshotSchema());
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
      Step step = MakeStep({&entry, file, f.direction, nullptr}, f.text, d_.GetDialect(), {});
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
  bool CheckRoundTrip(const std::vector<SchemaObject>& start, const std::vector<std::size_t>& ups,
                      std::size_t from) {
    std::vector<SchemaObject> end = d_.SnapshotSchema();
    std::set<std::string> differ = Touched(start, end);
    if (differ.empty()) return true;
    std::map<std::size_t, std::set<std::string>> blame;  // index into ups → objects
    for (const std::string& key : differ) {
      std::string name = key.substr(key.find(' ') + 1);
      std::size_t who = from;
      for (std::size_t k = ups.size(); k-- > from;) {
        const SourceFile* up = FindFile(set_.migrations[ups[k]], Direction::kUp, dialect_);
        if (up->text.find(name) != std::string::npos) {
          who = k;
          break;
        }
      }
      blame[who].insert(key);
    }
    for (const auto& [k, keys] : blame) {
      const Migration& m = set_.migrations[ups[k]];
      Report(Severity::kError, "down-leftover", FindFile(m, Direction::kDown, dialect_)->path,
             "after every down the schema is not what it was before the first up, and this "
             "down is the one that should have undone it: " +
                 DescribeSchemaDiff(Only(start, keys), Only(end, keys)));
    }
    return false;
  }

  static std::string Key(const SchemaObject& o) { return o.kind + " " + o.name; }

  // The objects that differ between two snapshots (added, removed or changed).
  static std::set<std::string> Touched(const std::vector<SchemaObject>& a,
                                       const std::vector<SchemaObject>& b) {
    std::map<std::string, const std::string*> left;
    for (const SchemaObject& o : a) left[Key(o)] = &o.definition;
    std::set<std::string> out;
    for (const SchemaObject& o : b) {
      auto it = left.find(Key(o));
      if (it == left.end() || *it->second != o.definition) out.insert(Key(o));
      if (it != left.end()) left.erase(it);
    }
    for (const auto& [key, def] : left) out.insert(key);
    return out;
  }

  static std::vector<SchemaObject> Only(const std::vector<SchemaObject>& all,
                                        const std::set<std::string>& keys) {
    std::vector<SchemaObject> out;
    for (const SchemaObject& o : all) {
      if (keys.count(Key(o))) out.push_back(o);
    }
    return out;
  }

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

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) out += (out.empty() ? "" : ", ") + s;
  return out;
}

}  // namespace

Diagnostics RehearseChain(Driver& scratch, const MigrationSet& set) {
  return Rehearsal(scratch, set).Run();
}

std::string DescribeSchemaDiff(const std::vector<SchemaObject>& expected,
                               const std::vector<SchemaObject>& actual) {
  std::map<std::string, const SchemaObject*> want, got;
  for (const SchemaObject& o : expected) want[o.kind + " " + o.name] = &o;
  for (const SchemaObject& o : actual) got[o.kind + " " + o.name] = &o;
  std::vector<std::string> extra, missing, changed;
  for (const auto& [key, o] : got) {
    auto it = want.find(key);
    if (it == want.end()) {
      extra.push_back(key);
    } else if (it->second->definition != o->definition) {
      changed.push_back(key);
    }
  }
  for (const auto& [key, o] : want) {
    if (!got.count(key)) missing.push_back(key);
  }
  std::vector<std::string> parts;
  if (!extra.empty()) parts.push_back("left over: " + Join(extra));
  if (!missing.empty()) parts.push_back("missing: " + Join(missing));
  if (!changed.empty()) parts.push_back("changed: " + Join(changed));
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "; ") + p;
  return out;
}

}  // namespace migrate
