#include "migrate/manifest.h"

#include <toml++/toml.h>

#include <algorithm>
#include <sstream>

#include "migrate/duration.h"
#include "migrate/sha256.h"

namespace migrate {
namespace {

Error Corrupt(const std::string& path, const std::string& message) {
  return Error(ErrorCode::kCorruptBundle,
               path + ": " + message + "; rebuild the bundle with 'migrate build'");
}

// A file's dialect and direction are in its name; only what the name does not say is
// written, and `transaction` only when false, which keeps a 10000-migration manifest small.
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
  for (std::string_view dialect : kDialects) {
    std::string key = "fingerprint_" + std::string(dialect);
    if (t.contains(key)) f.fingerprints[std::string(dialect)] = Need<std::string>(t, key, path);
  }
  return f;
}

constexpr std::string_view kTopComment =
    "# Written by 'migrate build'. Do not edit: 'migrate run' verifies every byte.\n";
constexpr std::string_view kDigestKey = "digest = ";

// `text` starts at line `line` + 1 of the file, for the message.
toml::table ParseToml(std::string_view text, const std::string& path, int line = 0) {
  try {
    return toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    throw Corrupt(path, "not valid TOML at line " +
                            std::to_string(line + static_cast<int>(e.source().begin.line)) + ": " +
                            std::string(e.description()));
  }
}

// The header's key-value lines (sorted by key, as toml++ writes them), then a blank line.
// The digest line is left out while it is empty, which is how the digest is computed.
std::string RenderHeader(const ManifestHeader& h) {
  toml::table t{{"format", h.format}, {"tool", h.tool}, {"listing", h.listing}};
  if (!h.digest.empty()) t.insert("digest", h.digest);
  if (!h.names.empty()) t.insert("names", h.names);
  for (const auto& [dialect, digest] : h.complete) t.insert("complete_" + dialect, digest);
  std::ostringstream out;
  out << t << "\n\n";
  return out.str();
}

// One [[migration]] table. The manifest is rendered one entry at a time: a DOM of 10000
// entries costs more memory than the rest of a build.
std::string RenderEntry(const ManifestEntry& e) {
  toml::array files;
  for (const ManifestFile& f : e.files) files.push_back(RenderFile(f));
  toml::array one;
  one.push_back(toml::table{
      {"version", e.version}, {"slug", e.slug}, {"source", e.source}, {"file", std::move(files)}});
  std::ostringstream out;
  out << toml::table{{"migration", std::move(one)}} << "\n\n";
  return out.str();
}

// The header's listing and completion digests, accumulated entry by entry.
class Summary {
 public:
  void Add(const ManifestEntry& e) {
    for (const ManifestFile& f : e.files) listing_[f.name] = f.bytes;
    for (std::string_view dialect : kDialects) {
      if (const ManifestFile* up = e.Find(Direction::kUp, dialect)) {
        complete_[std::string(dialect)].Add(e.version, e.slug, up->sha256);
      }
    }
  }

  void Fill(ManifestHeader& h) const {
    h.listing = ListingDigest(listing_);
    std::vector<std::string> names;
    names.reserve(listing_.size());
    for (const auto& [name, bytes] : listing_) names.push_back(name);
    h.names = NamesDigest(names);
    for (std::string_view dialect : kDialects) {
      auto it = complete_.find(std::string(dialect));
      h.complete[std::string(dialect)] =
          it == complete_.end() ? CompletionDigest().Hex() : it->second.Hex();
    }
  }

 private:
  std::map<std::string, long long> listing_;
  std::map<std::string, CompletionDigest> complete_;
};

ManifestHeader Summarize(const Manifest& m) {
  ManifestHeader h = m.header;
  Summary summary;
  for (const ManifestEntry& e : m.migrations) summary.Add(e);
  summary.Fill(h);
  return h;
}

// The manifest of `n` entries, `entry_at(i)` giving each in turn (it may build it on the
// fly). The header's length does not depend on its values, so it is written first with
// placeholders and overwritten in place once the entries are summarised.
template <typename EntryAt>
std::string RenderEntries(const std::string& tool, std::size_t n, EntryAt entry_at) {
  ManifestHeader h;
  h.tool = tool;
  h.listing = std::string(64, '0');
  h.names = std::string(64, '0');
  for (std::string_view dialect : kDialects) {
    h.complete[std::string(dialect)] = std::string(64, '0');
  }
  h.digest = std::string(64, '0');
  std::string text = std::string(kTopComment) + RenderHeader(h);
  const std::size_t head = text.size();
  Summary summary;
  for (std::size_t i = 0; i < n; ++i) {
    const ManifestEntry& e = entry_at(i);
    summary.Add(e);
    std::string piece = RenderEntry(e);
    if (i == 0) text.reserve(head + piece.size() * n * 11 / 10);
    text += piece;
  }
  summary.Fill(h);
  h.digest.clear();
  Sha256 sha;
  sha.Update(kTopComment);
  sha.Update(RenderHeader(h));
  sha.Update(std::string_view(text).substr(head));
  h.digest = sha.Hex();
  text.replace(0, head, std::string(kTopComment) + RenderHeader(h));
  return text;
}

std::string Tool() { return std::string("migrate ") + MIGRATE_VERSION; }

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
  m.header.tool = Tool();
  for (const Migration& mig : set.migrations) m.migrations.push_back(MakeManifestEntry(mig));
  m.header = Summarize(m);
  return m;
}

ManifestEntry MakeManifestEntry(const Migration& mig) {
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
  return e;
}

std::string ListingDigest(const std::map<std::string, long long>& files) {
  std::string lines;
  for (const auto& [name, bytes] : files) lines += name + "\t" + std::to_string(bytes) + "\n";
  return Sha256Hex(lines);
}

std::string NamesDigest(const std::vector<std::string>& files) {
  std::vector<std::string_view> sorted(files.begin(), files.end());
  std::sort(sorted.begin(), sorted.end());
  Sha256 sha;
  for (std::string_view name : sorted) {
    sha.Update(name);
    sha.Update(std::string_view("\0", 1));  // a name never holds NUL: no two lists collide
  }
  return sha.Hex();
}

void CompletionDigest::Add(std::string_view version, std::string_view slug,
                           std::string_view checksum) {
  lines_.append(version).append("\t").append(slug).append("\t").append(checksum).append("\n");
}

std::string CompletionDigest::Hex() const { return Sha256Hex(lines_); }

std::string RenderManifest(const Manifest& manifest) {
  return RenderEntries(
      manifest.header.tool, manifest.migrations.size(),
      [&](std::size_t i) -> const ManifestEntry& { return manifest.migrations[i]; });
}

std::string RenderManifest(const MigrationSet& set) {
  ManifestEntry current;
  return RenderEntries(Tool(), set.migrations.size(), [&](std::size_t i) -> const ManifestEntry& {
    current = MakeManifestEntry(set.migrations[i]);
    return current;
  });
}

ManifestHeader ParseManifestHeader(std::string_view text, const std::string& path) {
  std::size_t end = text.find("\n[");
  end = end == std::string_view::npos ? text.size() : end + 1;
  toml::table root = ParseToml(text.substr(0, end), path);
  ManifestHeader h;
  h.format = static_cast<int>(Need<int64_t>(root, "format", path));
  if (h.format != kManifestFormat) {
    throw Corrupt(path, "manifest format " + std::to_string(h.format) +
                            " is not one this migrate reads (" + std::to_string(kManifestFormat) +
                            ")");
  }
  h.tool = Need<std::string>(root, "tool", path);
  h.digest = Need<std::string>(root, "digest", path);
  h.listing = Need<std::string>(root, "listing", path);
  if (root.contains("names")) h.names = Need<std::string>(root, "names", path);
  for (std::string_view dialect : kDialects) {
    h.complete[std::string(dialect)] =
        Need<std::string>(root, "complete_" + std::string(dialect), path);
  }
  // The digest covers every byte but its own line.
  std::size_t line = text.find("\n" + std::string(kDigestKey));
  std::string computed;
  if (line != std::string_view::npos && line < end) {
    std::size_t line_end = text.find('\n', line + 1);
    Sha256 sha;
    sha.Update(text.substr(0, line + 1));
    sha.Update(text.substr(line_end + 1));
    computed = sha.Hex();
  }
  if (computed != h.digest) {
    throw Corrupt(path, "its bytes do not match its digest (the manifest was edited)");
  }
  return h;
}

Manifest ParseManifest(std::string_view text, const std::string& path) {
  Manifest m;
  m.header = ParseManifestHeader(text, path);
  // Each [[migration]] table is parsed on its own, so the TOML tree in memory is one
  // entry's, not 10000 entries'. The digest above vouches that the text is as rendered: a
  // table header starts a line, and no string value holds a raw newline.
  constexpr std::string_view kTable = "\n[[migration]]\n";
  std::size_t at = text.find(kTable);
  int line = at == std::string_view::npos
                 ? 0
                 : static_cast<int>(std::count(text.begin(), text.begin() + at + 1, '\n'));
  while (at != std::string_view::npos) {
    std::size_t next = text.find(kTable, at + 1);
    std::string_view chunk = text.substr(at + 1, next == std::string_view::npos ? next : next - at);
    toml::table root = ParseToml(chunk, path, line);
    line += static_cast<int>(std::count(chunk.begin(), chunk.end(), '\n'));
    at = next;
    const toml::array* arr = root["migration"].as_array();
    if (!arr) throw Corrupt(path, "a [[migration]] entry is not a table");
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
  ManifestHeader expected = Summarize(m);
  if (m.header.listing != expected.listing || m.header.complete != expected.complete ||
      (!m.header.names.empty() && m.header.names != expected.names)) {
    throw Corrupt(path, "its header does not match its entries (the manifest was edited)");
  }
  return m;
}

}  // namespace migrate
