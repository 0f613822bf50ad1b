// Importer and the Flyway converter (import_internal.h).
#include <algorithm>
#include <functional>
#include <regex>
#include <set>
#include <vector>

#include "import_internal.h"
#include "migrate/tool_history.h"

namespace migrate {

void Importer::Add(const std::string& version, const std::string& title, Direction direction,
                   std::string text) {
  std::string slug = MakeSlug(title);
  std::string name =
      version + "_" + (slug.empty() ? "migration" : slug) + "." + DirectionName(direction) + ".sql";
  if (result_.files.count(name)) {
    return Error(name, "two files of the folder become " + name + ": rename one");
  }
  result_.files[name] = std::move(text);
}

void Importer::LeftOut(const std::string& name, const std::string& why) {
  static const std::set<std::string> kCode = {".sql", ".go", ".ts", ".js", ".java", ".py"};
  std::size_t dot = name.rfind('.');
  if (dot == std::string::npos || !kCode.count(name.substr(dot))) return;  // README, SOURCE.md…
  Report(Severity::kWarning, "import-left-out", name, "left out: " + why);
}

void Importer::Note(const std::string& name, const std::string& message) {
  Report(Severity::kWarning, "import-note", name, message);
}

void Importer::Error(const std::string& name, const std::string& message) {
  Report(Severity::kError, "import-error", name, message);
}

void Importer::Report(Severity severity, const std::string& rule, const std::string& name,
                      const std::string& message) {
  result_.notes.push_back({severity, rule, {label_ + "/" + PrintableName(name), 0, 0}, message});
}

namespace {

struct FlywayFile {
  std::string name, kind, title;
  std::vector<std::string> parts;  // the version's numbers
  std::string theirs;              // as Flyway writes it in its history: parts joined by '.'
};

// Pads every part to the widest part at its position, so that the digit strings order as
// Flyway orders its versions (1 < 1.1 < 1.10 < 2).
std::string OurVersion(const FlywayFile& f, const std::vector<std::size_t>& widths) {
  std::string out;
  for (std::size_t i = 0; i < widths.size(); ++i) {
    std::string part = i < f.parts.size() ? f.parts[i] : "0";
    part.erase(0, std::min(part.find_first_not_of('0'), part.size() - 1));
    out += std::string(widths[i] - part.size(), '0') + part;
  }
  return out;
}

// The versioned files of the folder (the others reported), and the widest part at each
// position of their versions.
std::vector<FlywayFile> ReadFlyway(Importer& im, const std::map<std::string, std::string>& in,
                                   std::vector<std::size_t>& widths) {
  static const std::regex kName(R"(^([VUR])([0-9]+(?:[._][0-9]+)*)?__(.+)\.sql$)");
  std::vector<FlywayFile> files;
  for (const auto& [name, text] : in) {
    std::smatch m;
    if (!std::regex_match(name, m, kName) || (m[1] != "R" && !m[2].matched)) {
      im.LeftOut(name, "not V<version>__<description>.sql or U<version>__…");
      continue;
    }
    if (m[1] == "R") {
      im.LeftOut(name,
                 "a repeatable migration: migrate has none; when it changes, add its "
                 "new text as a versioned migration");
      continue;
    }
    FlywayFile f{name, m[1], m[3], {}, ""};
    std::string v = m[2];
    std::replace(v.begin(), v.end(), '_', '.');
    for (std::size_t at = 0; at <= v.size();) {
      std::size_t dot = std::min(v.find('.', at), v.size());
      f.parts.push_back(v.substr(at, dot - at));
      at = dot + 1;
    }
    f.theirs = v;
    if (widths.size() < f.parts.size()) widths.resize(f.parts.size(), 1);
    for (std::size_t i = 0; i < f.parts.size(); ++i) {
      std::string digits =
          f.parts[i].substr(std::min(f.parts[i].find_first_not_of('0'), f.parts[i].size() - 1));
      widths[i] = std::max(widths[i], digits.size());
    }
    files.push_back(std::move(f));
  }
  return files;
}

}  // namespace

void ConvertFlyway(Importer& im, const std::map<std::string, std::string>& in) {
  std::vector<std::size_t> widths;
  std::vector<FlywayFile> files = ReadFlyway(im, in, widths);
  std::set<std::string> undone;
  for (const FlywayFile& f : files) {
    if (f.kind == "U") undone.insert(f.theirs);
  }
  std::set<std::string> done;
  for (const FlywayFile& f : files) {
    std::string ours = OurVersion(f, widths);
    const std::string& text = in.at(f.name);
    if (ours.size() > 20)
      return im.Error(f.name,
                      "the version is longer than 20 digits once "
                      "padded; convert this folder by hand");
    if (text.find("${") != std::string::npos) {
      im.Note(f.name, "holds ${...}: Flyway placeholders are not replaced by migrate");
    }
    if (f.kind == "V") {
      done.insert(f.theirs);
      im.MapVersion(f.theirs, ours);
      bool undo = undone.count(f.theirs) > 0;
      im.Add(ours, f.title, Direction::kUp, (undo ? "" : "-- migrate:irreversible\n") + text);
    } else {
      im.Add(ours, f.title, Direction::kDown, text);
    }
  }
  for (const FlywayFile& f : files) {
    if (f.kind == "U" && !done.count(f.theirs)) im.Error(f.name, "an undo without its V file");
  }
  if (undone.empty() && !files.empty()) {
    im.Note(files.front().name,
            "no U (undo) files: every migration is marked "
            "'-- migrate:irreversible'; write .down.sql files to undo them");
  }
}

namespace {

// The numbers of a dotted version ("1.01.2" → 1, 01, 2).
std::vector<std::string> Parts(const std::string& version) {
  std::vector<std::string> parts;
  for (std::size_t at = 0; at <= version.size();) {
    std::size_t dot = std::min(version.find('.', at), version.size());
    parts.push_back(version.substr(at, dot - at));
    at = dot + 1;
  }
  return parts;
}

// Calls `visit` with every list of widths (each at least `least[i]` for the positions `least`
// has, at least 1 after) that adds up to `total`, up to six positions.
void EachWidths(const std::vector<std::size_t>& least, std::size_t total,
                std::vector<std::size_t>& widths,
                const std::function<void(const std::vector<std::size_t>&)>& visit) {
  std::size_t used = 0;
  for (std::size_t w : widths) used += w;
  if (used == total && widths.size() >= least.size()) visit(widths);
  if (used >= total || widths.size() == 6) return;
  std::size_t min = widths.size() < least.size() ? least[widths.size()] : 1;
  for (std::size_t w = min; used + w <= total; ++w) {
    widths.push_back(w);
    EachWidths(least, total, widths, visit);
    widths.pop_back();
  }
}

}  // namespace

std::vector<std::string> MapFlywayVersions(const std::vector<std::string>& theirs,
                                           const std::vector<std::string>& bundle_versions) {
  std::vector<FlywayFile> files;
  std::vector<std::size_t> least;  // the digits each position needs
  for (const std::string& v : theirs) {
    FlywayFile f{v, "V", "", Parts(v), v};
    if (least.size() < f.parts.size()) least.resize(f.parts.size(), 1);
    for (std::size_t i = 0; i < f.parts.size(); ++i) {
      std::size_t zeros = std::min(f.parts[i].find_first_not_of('0'), f.parts[i].size() - 1);
      least[i] = std::max(least[i], f.parts[i].size() - zeros);
    }
    files.push_back(std::move(f));
  }
  std::set<std::string> bundle(bundle_versions.begin(), bundle_versions.end());
  std::set<std::size_t> totals;
  for (const std::string& v : bundle_versions) totals.insert(v.size());
  // The most versions mapped, then the fewest positions: an extra position of zeros would
  // map 1.1 to 1.1.0 as well.
  std::vector<std::string> best = theirs;
  std::size_t best_count = 0, best_positions = 0;
  bool ambiguous = false;
  for (std::size_t total : totals) {
    std::vector<std::size_t> widths;
    EachWidths(least, total, widths, [&](const std::vector<std::size_t>& w) {
      std::vector<std::string> mapped;
      std::size_t count = 0;
      for (const FlywayFile& f : files) {
        std::string ours = OurVersion(f, w);
        count += bundle.count(ours);
        mapped.push_back(bundle.count(ours) ? ours : f.theirs);
      }
      if (count > best_count || (count == best_count && count > 0 && w.size() < best_positions)) {
        best = std::move(mapped), best_count = count, best_positions = w.size();
        ambiguous = false;
      } else if (count == best_count && count > 0 && w.size() == best_positions && mapped != best) {
        ambiguous = true;
      }
    });
  }
  if (ambiguous) {
    throw Error(ErrorCode::kUsage,
                "Flyway's versions match the bundle's in more than one way: use 'migrate "
                "baseline VERSION' with the newest version Flyway has applied");
  }
  return best;
}

}  // namespace migrate
