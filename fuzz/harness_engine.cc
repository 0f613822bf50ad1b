// The fuzz targets of the engine's own parsers: file names, directives, the manifest and the
// config file (fuzz/harness.h).
#include <algorithm>
#include <optional>
#include <string>

#include "fuzz/harness.h"
#include "migrate/config.h"
#include "migrate/directives.h"
#include "migrate/error.h"
#include "migrate/manifest.h"
#include "migrate/naming.h"
#include "migrate/sha256.h"

namespace migrate::fuzz {
namespace {

constexpr std::string_view kDigestLine = "\ndigest = ";

// `text` with the value of its header's digest line replaced by the digest of its other bytes
// (as ParseManifestHeader computes it), so that a mutated manifest gets past the digest check
// to its entries; `text` itself when it has no such line.
std::string WithDigest(std::string_view text) {
  std::size_t header_end = text.find("\n[");
  std::size_t line = text.find(kDigestLine);
  if (line == std::string_view::npos || line >= header_end) return std::string(text);
  std::size_t line_end = text.find('\n', line + 1);
  if (line_end == std::string_view::npos) return std::string(text);
  Sha256 sha;
  sha.Update(text.substr(0, line + 1));
  sha.Update(text.substr(line_end + 1));
  return std::string(text.substr(0, line)) + std::string(kDigestLine) + "\"" + sha.Hex() + "\"" +
         std::string(text.substr(line_end));
}

bool SameFile(const ManifestFile& a, const ManifestFile& b) {
  return a.name == b.name && a.dialect == b.dialect && a.direction == b.direction &&
         a.sha256 == b.sha256 && a.bytes == b.bytes && a.transaction == b.transaction &&
         a.irreversible == b.irreversible && a.statements == b.statements &&
         a.lock_timeout == b.lock_timeout && a.statement_timeout == b.statement_timeout &&
         a.fingerprints == b.fingerprints;
}

bool SameEntry(const ManifestEntry& a, const ManifestEntry& b) {
  return a.version == b.version && a.slug == b.slug && a.source == b.source &&
         std::equal(a.files.begin(), a.files.end(), b.files.begin(), b.files.end(), SameFile);
}

// A manifest that parsed renders to text that parses to the same manifest.
void CheckRoundTrip(const Manifest& m) {
  std::string text = RenderManifest(m);
  Manifest again;
  try {
    again = ParseManifest(text, "rendered");
  } catch (const Error& e) {
    throw HarnessFailure(std::string("a rendered manifest does not parse: ") + e.what());
  }
  Check(again.header.tool == m.header.tool, "the rendered manifest's tool differs");
  Check(std::equal(m.migrations.begin(), m.migrations.end(), again.migrations.begin(),
                   again.migrations.end(), SameEntry),
        "the rendered manifest's entries differ");
  Check(RenderManifest(again) == text, "rendering is not deterministic");
}

// A stand-in for the OS environment: variables whose name starts with 'U' are unset.
std::optional<std::string> FakeLookup(const std::string& name) {
  if (name.empty() || name[0] == 'U') return std::nullopt;
  return "<" + name + ">";
}

void CheckExpand(const std::string& text, const SourceLocation& where) {
  try {
    std::string out = ExpandVariables(text, where, FakeLookup);
    if (text.find("${") == std::string::npos) Check(out == text, "text without ${ changed");
  } catch (const Error&) {
  }
}

}  // namespace

void Check(bool ok, const std::string& what) {
  if (!ok) throw HarnessFailure(what);
}

void FuzzFileName(std::string_view input) {
  std::string why;
  std::optional<MigrationFileName> name = ParseMigrationFileName(input, &why);
  Check(name.has_value() == ParseMigrationFileName(input).has_value(), "`why` changes the answer");
  if (!name) {
    Check(!why.empty(), "a refused name without a reason");
  } else {
    Check(IsVersion(name->version), "a parsed version that is not one");
    Check(!name->slug.empty(), "an empty slug");
    Check(name->dialect.empty() || IsKnownDialect(name->dialect), "an unknown dialect");
    std::string dialect = name->dialect.empty() ? "" : "." + name->dialect;
    Check(name->version + "_" + name->slug + dialect + "." + DirectionName(name->direction) +
                  ".sql" ==
              input,
          "the parts do not make the name");
  }
  // Two versions, one a line: CompareVersions is antisymmetric and ignores leading zeros.
  std::size_t nl = input.find('\n');
  if (nl == std::string_view::npos) return;
  std::string_view a = input.substr(0, nl), b = input.substr(nl + 1);
  if (!IsVersion(a) || !IsVersion(b)) return;
  int c = CompareVersions(a, b);
  Check(c == -CompareVersions(b, a) && c >= -1 && c <= 1, "CompareVersions is not antisymmetric");
  Check(CompareVersions(a, a) == 0, "CompareVersions(a, a) is not 0");
  auto strip = [](std::string_view v) {
    return v.substr(std::min(v.find_first_not_of('0'), v.size()));
  };
  Check((c == 0) == (strip(a) == strip(b)), "CompareVersions is 0 for different numbers");
}

void FuzzDirectives(std::string_view input) {
  Diagnostics diagnostics;
  Directives d = ParseDirectives(input, "fuzz.sql", diagnostics);
  int lines = static_cast<int>(std::count(input.begin(), input.end(), '\n')) + 1;
  for (const Diagnostic& diag : diagnostics) {
    Check(diag.where.file == "fuzz.sql", "a diagnostic names another file");
    Check(diag.where.line >= 1 && diag.where.line <= lines, "a diagnostic past the last line");
  }
  for (const auto& t : {d.lock_timeout, d.statement_timeout}) {
    Check(!t || t->count() >= 0, "a negative timeout");
  }
  for (const std::string& rule : d.allow) Check(!rule.empty(), "an empty allow");
}

void FuzzManifest(std::string_view input) {
  try {
    ParseManifestHeader(input, "fuzz/manifest.toml");
  } catch (const Error&) {
  }
  std::string text = WithDigest(input);
  try {
    ParseManifestHeader(text, "fuzz/manifest.toml");
    CheckRoundTrip(ParseManifest(text, "fuzz/manifest.toml"));
  } catch (const Error&) {
  }
}

void FuzzConfig(std::string_view input) {
  try {
    Config c = ParseConfig(input, "/fuzz/config.toml");
    Check(!EffectiveDialects(c).empty(), "no dialect to build for");
    Check(BuildPostgresVersion(c) >= c.postgres_version, "the build's version is older");
    MakeLintSettings(c);
    for (const auto& [name, env] : c.environments) {
      Check(env.name == name, "an environment under another name");
      DialectOfUrl(env.url);
      CheckExpand(env.url, env.url_where);
    }
  } catch (const Error&) {
  }
  CheckExpand(std::string(input), SourceLocation{"fuzz", 1, 1});
}

}  // namespace migrate::fuzz
