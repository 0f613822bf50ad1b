// The fuzz targets' bodies (docs/reliability.md, "Fuzzing"): each feeds one input to a parser
// of the engine or of a dialect and checks what comes back. A finding is a crash, a sanitizer
// report, a hang or an escaping exception: migrate::Error is how the parsers refuse bad input
// and is caught here; a broken property throws HarnessFailure. The same code runs in the
// libFuzzer binaries (fuzz/fuzz_target.cc, built with clang by scripts/fuzz) and in the
// Catch2 replay of the seeds and regressions (tests/unit/fuzz_replay_test.cc).
#ifndef MIGRATE_FUZZ_HARNESS_H_
#define MIGRATE_FUZZ_HARNESS_H_

#include <stdexcept>
#include <string>
#include <string_view>

namespace migrate::fuzz {

// A property of a parser's result that does not hold for some input.
class HarnessFailure : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

// Throws HarnessFailure(what) unless `ok`.
void Check(bool ok, const std::string& what);

// ParseMigrationFileName: a parsed name is rebuilt exactly from its parts; CompareVersions.
void FuzzFileName(std::string_view input);
// ParseDirectives: every diagnostic is located on a line of the input.
void FuzzDirectives(std::string_view input);
// ParseManifestHeader and ParseManifest (with the digest line made to match, so that the
// entries are read); a manifest that parses renders to one that parses to the same.
void FuzzManifest(std::string_view input);
// ParseConfig (LoadConfig's parser) and ExpandVariables.
void FuzzConfig(std::string_view input);
// The PostgreSQL dialect's Split, SplitNewer, Analyze and Fingerprint.
void FuzzPostgresSplit(std::string_view input);
// The SQLite dialect's Split, Analyze and Fingerprint.
void FuzzSqliteSplit(std::string_view input);

}  // namespace migrate::fuzz

#endif  // MIGRATE_FUZZ_HARNESS_H_
