#include "migrate/manifest.h"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "migrate/text.h"

namespace migrate {
namespace {

Error Corrupt(const std::string& path, const std::string& message) {
  return Error(ErrorCode::kCorruptBundle,
               path + ": " + message + "; rebuild the bundle with 'migrate build'");
}

// A file's dialect and direction are in its name; only what the name does not say is
// written, and `transaction` only when false: a 10000-migration manifest stays small enough
// to parse in a no-op run.
toml::table RenderFile(const ManifestFile& f) {
  toml::table t{
      {"name", f.name},
      {"sha256", f.sha256},
      {"bytes", f.bytes},
      {"statements", f.statements},
  };
  if (!f.transaction) t.insert("transaction", false);
  if (f.irreversible) t.insert("irreversible", true);
  if (f.lock_timeout) t.insert("lock_timeout", FormatDuration(*f.lock_timeout));
  if (f.statement_timeout) t.insert("statement_timeout", FormatDuration(*f.statement_timeout));
  for (const auto& [dialect, fp] : f.fingerprints) t.insert("fingerprint_" + dialect, fp);
  return t;
}

template <typename T>
T Need(const toml::table& t, std::string_view key, const std::string& path) {
  auto v = t[key].value<T>();
  if (!v) throw Corrupt(path, "missing or bad '" + std::string(key) + "'");
  return *v;
}

std::optional<std::chrono::milliseconds> OptionalDuration(const toml::table& t,
                                                          std::string_view key,
                                                          const std::string& path) {
  if (!t.contains(key)) return std::nullopt;
  auto d = ParseDuration(Need<std::string>(t, key, path));
  if (!d) throw Corrupt(path, "bad '" + std::string(key) + "'");
  return d;
}

ManifestFile ParseFile(const toml::table& t, const std::string& path) {
  ManifestFile f;
  f.name = Need<std::string>(t, "name", path);
  auto parsed = ParseMigrationFileName(f.name);
  if (!parsed) throw Corrupt(path, "the file name '" + f.name + "' is not a migration file name");
  f.dialect = parsed->dialect;
  f.direction = parsed->direction;
  f.sha256 = Need<std::string>(t, "sha256", path);
  f.bytes = Need<int64_t>(t, "bytes", path);
  f.transaction = t["transaction"].value_or(true);
  f.statements = static_cast<int>(Need<int64_t>(t, "statements", path));
  f.irreversible = t["irreversible"].value_or(false);
  f.lock_timeout = OptionalDuration(t, "lock_timeout", path);
  f.statement_timeout = OptionalDuration(t, "statement_timeout", path);
  for (std::string_view dialect : {kDialectPostgres, kDialectSqlite}) {
    std::string key = "fingerprint_" + std::string(dialect);
    if (t.contains(key)) f.fingerprints[std::string(dialect)] = Need<std::string>(t, key, path);
  }
  return f;
}

}  // namespace

const ManifestFile* ManifestEntry::Find(Direction direction, std::string_view dialect) const {
  const ManifestFile* generic = nullptr;
  for (const ManifestFile& f : files) {
    if (f.direction != direction) continue;
    if (f.dialect == dialect) return &f;
    if (f.dialect.empty()) generic = &f;
  }
  return generic;
}

const ManifestEntry* Manifest::Find(std::string_view version) const {
  // Entries are in version order: a binary search keeps status and run linear overall.
  auto it = std::lower_bound(
      migrations.begin(), migrations.end(), version,
      [](const ManifestEntry& e, std::string_view v) { return CompareVersions(e.version, v) < 0; });
  return it != migrations.end() && CompareVersions(it->version, version) == 0 ? &*it : nullptr;
}

Manifest MakeManifest(const MigrationSet& set) {
  Manifest m;
  m.tool = std::string("migrate ") + MIGRATE_VERSION;
  for (const Migration& mig : set.migrations) {
    ManifestEntry e{mig.version, mig.slug, mig.files.front().source, {}};
    for (const SourceFile& sf : mig.files) {
      ManifestFile f;
      f.name = sf.name;
      f.dialect = sf.dialect;
      f.direction = sf.direction;
      f.sha256 = sf.checksum;
      f.bytes = static_cast<long long>(sf.text.size());
      f.transaction = !sf.directives.no_transaction;
      f.irreversible = sf.directives.irreversible;
      f.statements = sf.statements;
      f.lock_timeout = sf.directives.lock_timeout;
      f.statement_timeout = sf.directives.statement_timeout;
      f.fingerprints = sf.fingerprints;
      e.files.push_back(std::move(f));
    }
    m.migrations.push_back(std::move(e));
  }
  m.digest = ComputeDigest(m);
  return m;
}

std::string ComputeDigest(const Manifest& manifest) {
  std::string canonical;
  for (const ManifestEntry& e : manifest.migrations) {
    canonical += "migration\t" + e.version + "\t" + e.slug + "\t" + e.source + "\n";
    for (const ManifestFile& f : e.files) {
      canonical += "file\t" + f.name + "\t" + f.dialect + "\t" + DirectionName(f.direction) + "\t" +
                   f.sha256 + "\t" + std::to_string(f.bytes) + "\t" +
                   (f.transaction ? "tx" : "no-tx") + "\t" + std::to_string(f.statements) + "\t" +
                   (f.irreversible ? "irreversible" : "") + "\t" +
                   (f.lock_timeout ? FormatDuration(*f.lock_timeout) : "") + "\t" +
                   (f.statement_timeout ? FormatDuration(*f.statement_timeout) : "");
      for (const auto& [dialect, fp] : f.fingerprints) canonical += "\t" + dialect + "=" + fp;
      canonical += "\n";
    }
  }
  return Sha256Hex(canonical);
}

std::string RenderManifest(const Manifest& manifest) {
  toml::array migrations;
  for (const ManifestEntry& e : manifest.migrations) {
    toml::array files;
    for (const ManifestFile& f : e.files) files.push_back(RenderFile(f));
    migrations.push_back(toml::table{{"version", e.version},
                                     {"slug", e.slug},
                                     {"source", e.source},
                                     {"file", std::move(files)}});
  }
  toml::table root{{"format", manifest.format},
                   {"tool", manifest.tool},
                   {"digest", manifest.digest},
                   {"migration", std::move(migrations)}};
  std::ostringstream out;
  out << "# Written by 'migrate build'. Do not edit: 'migrate run' verifies every byte.\n"
      << root << "\n";
  return out.str();
}

Manifest ParseManifest(std::string_view text, const std::string& path) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw Corrupt(path, "not valid TOML at line " + std::to_string(e.source().begin.line) + ": " +
                            std::string(e.description()));
  }
  Manifest m;
  m.format = static_cast<int>(Need<int64_t>(root, "format", path));
  if (m.format != kManifestFormat) {
    throw Corrupt(path, "manifest format " + std::to_string(m.format) +
                            " is not one this migrate reads (" + std::to_string(kManifestFormat) +
                            ")");
  }
  m.tool = Need<std::string>(root, "tool", path);
  m.digest = Need<std::string>(root, "digest", path);
  if (const toml::array* arr = root["migration"].as_array()) {
    for (const toml::node& node : *arr) {
      const toml::table* t = node.as_table();
      if (!t) throw Corrupt(path, "a [[migration]] entry is not a table");
      ManifestEntry e;
      e.version = Need<std::string>(*t, "version", path);
      e.slug = Need<std::string>(*t, "slug", path);
      e.source = Need<std::string>(*t, "source", path);
      if (!IsVersion(e.version)) throw Corrupt(path, "bad version '" + e.version + "'");
      if (const toml::array* files = (*t)["file"].as_array()) {
        for (const toml::node& fn : *files) {
          if (!fn.as_table()) throw Corrupt(path, "a [[migration.file]] entry is not a table");
          e.files.push_back(ParseFile(*fn.as_table(), path));
        }
      }
      m.migrations.push_back(std::move(e));
    }
  }
  if (ComputeDigest(m) != m.digest) {
    throw Corrupt(path, "the digest does not match the entries (the manifest was edited)");
  }
  return m;
}

}  // namespace migrate
