#include "migrate/import.h"

#include <algorithm>
#include <regex>

#include "import_internal.h"
#include "migrate/naming.h"

namespace migrate {
namespace {

constexpr std::string_view kNames[] = {"golang-migrate", "dbmate", "goose", "flyway", "typeorm"};

// Splits `text` into lines (each with its '\n').
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (std::size_t at = 0; at < text.size();) {
    std::size_t nl = text.find('\n', at);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.push_back(text.substr(at, end - at));
    at = end;
  }
  return lines;
}

std::string Trimmed(std::string_view s) {
  std::size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  return std::string(s.substr(b, s.find_last_not_of(" \t\r\n") - b + 1));
}

// golang-migrate: already up and down files; only the slug may need cleaning.
void GolangMigrate(Importer& im, const std::string& name, const std::string& text) {
  static const std::regex kName(R"(^(\d{1,20})_(.+)\.(up|down)\.sql$)");
  std::smatch m;
  if (!std::regex_match(name, m, kName))
    return im.LeftOut(name, "not <version>_<title>.up|down.sql");
  im.Add(m[1], m[2], m[3] == "up" ? Direction::kUp : Direction::kDown, text);
}

// A single file in sections: dbmate's `-- migrate:up` / `-- migrate:down [transaction:false]`
// or goose's `-- +goose Up` / `-- +goose Down` (with StatementBegin/End and NO TRANSACTION).
struct Sections {
  std::string up, down;
  bool up_seen = false, down_seen = false;
  bool up_no_tx = false, down_no_tx = false;
};

Sections SplitDbmate(Importer& im, const std::string& name, const std::string& text) {
  Sections s;
  std::string* into = nullptr;
  for (std::string_view line : Lines(text)) {
    std::string t = Trimmed(line);
    bool up = t.rfind("-- migrate:up", 0) == 0, down = t.rfind("-- migrate:down", 0) == 0;
    if (up || down) {
      bool no_tx = t.find("transaction:false") != std::string::npos;
      (up ? s.up_seen : s.down_seen) = true;
      (up ? s.up_no_tx : s.down_no_tx) = no_tx;
      into = up ? &s.up : &s.down;
      continue;
    }
    if (into) {
      *into += line;
    } else if (!t.empty() && t.rfind("--", 0) != 0) {
      im.Note(name, "SQL before '-- migrate:up' is not part of any migration in dbmate: left out");
    }
  }
  return s;
}

Sections SplitGoose(Importer& im, const std::string& name, const std::string& text) {
  Sections s;
  std::string* into = &s.up;  // what precedes `Up` (comments) goes with it
  bool no_tx = false;
  for (std::string_view line : Lines(text)) {
    std::string t = Trimmed(line);
    if (t.rfind("-- +goose", 0) != 0) {
      *into += line;
      continue;
    }
    std::string what = Trimmed(t.substr(9));
    std::transform(what.begin(), what.end(), what.begin(), ::toupper);
    if (what == "UP") {
      s.up_seen = true;
      into = &s.up;
    } else if (what == "DOWN") {
      s.down_seen = true;
      into = &s.down;
    } else if (what == "NO TRANSACTION") {
      no_tx = true;
    } else if (what.rfind("ENVSUB", 0) == 0) {
      im.Note(name, "'-- +goose " + what +
                        "': migrate does not substitute variables in SQL; "
                        "check the ${...} in this file by hand");
    }  // StatementBegin/End: migrate's splitter reads $$ bodies itself
  }
  s.up_no_tx = s.down_no_tx = no_tx;
  return s;
}

// Writes a sectioned file's up and down (dbmate, goose).
void AddSections(Importer& im, const std::string& name, const std::string& version,
                 const std::string& title, const Sections& s, const char* up_marker) {
  if (!s.up_seen) return im.Error(name, std::string("no '") + up_marker + "' section");
  im.Add(version, title, Direction::kUp, (s.up_no_tx ? "-- migrate:no-transaction\n" : "") + s.up);
  if (!s.down_seen || Trimmed(s.down).empty()) {
    im.Note(name,
            "the down section is empty: the .down.sql file does nothing; write the "
            "down, or delete it and put '-- migrate:irreversible' at the top of the up");
  }
  im.Add(version, title, Direction::kDown,
         (s.down_no_tx ? "-- migrate:no-transaction\n" : "") + s.down);
}

void SingleFile(Importer& im, ImportSource source, const std::string& name,
                const std::string& text) {
  static const std::regex kName(R"(^(\d{1,20})_(.+)\.sql$)");
  std::smatch m;
  if (!std::regex_match(name, m, kName)) {
    bool go = name.size() > 3 && name.substr(name.size() - 3) == ".go";
    return im.LeftOut(
        name, go ? "a Go migration: convert it to SQL by hand" : "not <version>_<name>.sql");
  }
  bool dbmate = source == ImportSource::kDbmate;
  Sections s = dbmate ? SplitDbmate(im, name, text) : SplitGoose(im, name, text);
  AddSections(im, name, m[1], m[2], s, dbmate ? "-- migrate:up" : "-- +goose Up");
}

}  // namespace

std::optional<ImportSource> ImportSourceNamed(std::string_view name) {
  for (std::size_t i = 0; i < std::size(kNames); ++i) {
    if (kNames[i] == name) return static_cast<ImportSource>(i);
  }
  return std::nullopt;
}

std::string_view ImportSourceName(ImportSource source) {
  return kNames[static_cast<std::size_t>(source)];
}

std::string ImportSourceNames() {
  std::string out;
  for (std::string_view n : kNames) out += (out.empty() ? "" : ", ") + std::string(n);
  return out;
}

ImportResult ConvertMigrations(ImportSource source, const std::map<std::string, std::string>& in,
                               const std::string& folder_label) {
  Importer im(folder_label);
  if (source == ImportSource::kFlyway) {
    ConvertFlyway(im, in);
  } else if (source == ImportSource::kTypeorm) {
    for (const auto& [name, text] : in) ConvertTypeorm(im, name, text);
  } else {
    for (const auto& [name, text] : in) {
      if (source == ImportSource::kGolangMigrate) {
        GolangMigrate(im, name, text);
      } else {
        SingleFile(im, source, name, text);
      }
    }
  }
  return im.Finish(source != ImportSource::kFlyway);
}

}  // namespace migrate
