// Shared by the converters of import.cc: the result being built, and the converters that need
// the whole folder (Flyway's versions) or a scanner of their own (TypeORM's TypeScript).
#ifndef MIGRATE_ENGINE_IMPORT_INTERNAL_H_
#define MIGRATE_ENGINE_IMPORT_INTERNAL_H_

#include <map>
#include <string>

#include "migrate/import.h"
#include "migrate/naming.h"

namespace migrate {

class Importer {
 public:
  explicit Importer(std::string label) : label_(std::move(label)) {}

  // Adds `<version>_<slug of title>.<direction>.sql` holding `text`.
  void Add(const std::string& version, const std::string& title, Direction direction,
           std::string text);
  // A file of the folder that is not converted (silently when it is not code or SQL at all).
  void LeftOut(const std::string& name, const std::string& why);
  void Note(const std::string& name, const std::string& message);   // a warning
  void Error(const std::string& name, const std::string& message);  // an error
  void MapVersion(const std::string& theirs, const std::string& ours) {
    result_.versions[theirs] = ours;
  }
  // The result; with `same_versions`, each file's version maps to itself (all but Flyway).
  ImportResult Finish(bool same_versions) {
    if (same_versions) {
      for (const auto& [name, text] : result_.files) {
        std::string v = name.substr(0, name.find('_'));
        result_.versions[v] = v;
      }
    }
    return std::move(result_);
  }

 private:
  void Report(Severity severity, const std::string& rule, const std::string& name,
              const std::string& message);

  std::string label_;
  ImportResult result_;
};

// Flyway: V<version>__<description>.sql up, U<version>__… down, R__… repeatable (left out).
void ConvertFlyway(Importer& im, const std::map<std::string, std::string>& in);

// TypeORM: <timestamp>-<Name>.ts|js classes whose up() and down() call queryRunner.query with
// plain string literals.
void ConvertTypeorm(Importer& im, const std::string& name, const std::string& text);

}  // namespace migrate

#endif  // MIGRATE_ENGINE_IMPORT_INTERNAL_H_
