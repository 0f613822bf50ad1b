// `migrate verify` and `build --verify-url`: the stairway check (verify.h) of the bundle in
// dist/ on a scratch database, one line per migration, the catalog diff under each that fails.
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.h"
#include "migrate/bundle.h"
#include "migrate/redact.h"
#include "migrate/verify.h"
#include "signals.h"
#include "style.h"

namespace migrate::cli {
namespace {

using json = nlohmann::ordered_json;
using Outcome = MigrationCheck::Outcome;

// The database verify runs on, and how to name it to the user.
struct Target {
  std::unique_ptr<Driver> db;
  std::string shown;
  // Another empty database like it, to go on after a failure (verify.h); none for a named one.
  std::function<std::unique_ptr<Driver>()> fresh;
};

// A temporary database on the PostgreSQL server of `server_url`, dropped when the driver goes
// (also on failure or Ctrl-C). `flag` names where the URL came from, for the error.
Target TemporaryOn(const Context& ctx, const std::string& server_url, const std::string& flag) {
  for (const std::string& s : SecretsOfUrl(server_url)) RegisterSecret(s);
  if (DialectOfUrl(server_url) != kDialectPostgres) {
    throw Error(ErrorCode::kUsage,
                flag + " '" + RedactUrl(server_url) +
                    "' is not a postgres:// URL: it names a PostgreSQL server where migrate "
                    "creates a temporary database and drops it afterwards. For SQLite, verify on "
                    "an empty file: --database sqlite:scratch.db");
  }
  DriverOptions options;
  options.tables = ctx.config().tables;
  auto fresh = [server_url, options] { return OpenScratchLike(server_url, server_url, options); };
  return {fresh(), "a temporary database on " + RedactUrl(server_url), fresh};
}

std::string Millis(long long ms) { return ms == 0 ? "<1 ms" : std::to_string(ms) + " ms"; }

// The failing statement's error, with its SQLSTATE when the message does not carry it.
std::string ErrorText(const Error& e) {
  std::string text = Redact(e.what());
  if (!e.sqlstate().empty() && text.find(e.sqlstate()) == std::string::npos) {
    text += " [SQLSTATE " + e.sqlstate() + "]";
  }
  return text;
}

// `text` with every line indented under a migration's line.
std::string Indented(const std::string& text) {
  std::string out = "      ";
  for (char c : text) {
    out += c;
    if (c == '\n') out += "      ";
  }
  return out;
}

void PrintDiff(std::ostream& out, const std::vector<CatalogChange>& changes) {
  for (const CatalogChange& c : changes) {
    std::string line = RenderDiff({c});
    Tone tone = c.kind == CatalogChange::Kind::kAdded     ? Tone::kWarning
                : c.kind == CatalogChange::Kind::kRemoved ? Tone::kError
                                                          : Tone::kWarning;
    out << "      " << Paint(out, tone, line.substr(0, 1)) << line.substr(1);
  }
}

// What went wrong with `c`, in a sentence; empty when it passed.
std::string Problem(const MigrationCheck& c) {
  switch (c.outcome) {
    case Outcome::kNotUndone:
      return "the down does not undo the up (+ left behind, - missing, ~ changed):";
    case Outcome::kUpFailed:
      return "the up fails:";
    case Outcome::kDownFailed:
      return "the down fails (rolled back; the next builds on the up):";
    case Outcome::kUpAgainFailed:
      return "after the down, the up fails the second time:";
    case Outcome::kNoDown:
      return "no down: not checked";
    case Outcome::kNotReached:
      return "not checked: an earlier failure stopped the check";
    case Outcome::kPassed:
      break;
  }
  return "";
}

class LineObserver final : public VerifyObserver {
 public:
  LineObserver(const Context& ctx, const std::string& shown) : ctx_(ctx), shown_(shown) {}

  void OnLockWait(const LockHolder& h) override {
    ctx_.out() << "Waiting for the migration lock held by " << h.holder << "...\n" << std::flush;
  }

  void OnStart(std::size_t count) override {
    ctx_.out() << "Verifying " << count << " migration(s) on " << shown_
               << ": up, down (the schema must be as before the up), up again.\n"
               << std::flush;
  }

  void OnMigrationDone(const MigrationCheck& c) override {
    std::ostream& out = ctx_.out();
    Tone tone = c.Failed() ? Tone::kError : c.Checked() ? Tone::kGood : Tone::kNote;
    std::string word(c.Failed() ? "FAILED" : c.Checked() ? "ok" : "skipped");
    word.resize(8, ' ');
    out << "  " << Paint(out, tone, word) << c.version << "  " << c.slug;
    if (c.outcome == Outcome::kPassed) {
      out << "  (up " << Millis(c.up_ms) << ", down " << Millis(c.down_ms) << ", up "
          << Millis(c.again_ms) << ")\n";
    } else {
      out << ": " << Problem(c) << "\n";
    }
    PrintDiff(out, c.left);
    if (!c.reordered.empty()) {
      out << "    note: after the down, " << c.reordered.size()
          << " column(s) are in another position (a column dropped and added back goes last; "
             "not a failure)\n";
    }
    if (!c.again.empty()) {
      out << "    after the up ran again, the schema is not the first up's (the next build on "
             "it):\n";
      PrintDiff(out, c.again);
    }
    if (c.error) out << Indented(ErrorText(*c.error)) << "\n";
    if (c.restarted) {
      out << "    the check goes on on a new database where every up so far ran once\n";
    }
    out << std::flush;
  }

 private:
  const Context& ctx_;
  std::string shown_;
};

json CheckJson(const MigrationCheck& c) {
  json j{{"version", c.version},
         {"slug", c.slug},
         {"outcome", std::string(OutcomeName(c.outcome))},
         {"up_ms", c.up_ms},
         {"down_ms", c.down_ms},
         {"again_ms", c.again_ms},
         {"left", json::parse(RenderDiffJson(c.left))},
         {"again", json::parse(RenderDiffJson(c.again))},
         {"reordered", json::parse(RenderDiffJson(c.reordered))},
         {"restarted", c.restarted}};
  j["error"] = nullptr;
  if (c.error) {
    const SourceLocation& w = c.error->where();
    j["error"] = {{"message", Redact(c.error->what())},
                  {"file", w.file},
                  {"line", w.line},
                  {"column", w.column},
                  {"sqlstate", c.error->sqlstate()}};
  }
  return j;
}

void PrintJson(const VerifyResult& r, const std::string& shown) {
  json checks = json::array();
  for (const MigrationCheck& c : r.migrations) checks.push_back(CheckJson(c));
  std::cout << json{{"ok", r.Failed() == 0},       {"database", shown},
                    {"server", r.database},        {"migrations", checks},
                    {"checked", r.Checked()},      {"passed", r.Passed()},
                    {"failed", r.Failed()},        {"not_checked", r.NotChecked()},
                    {"duration_ms", r.duration_ms}}
                   .dump(2, ' ', false, json::error_handler_t::replace)
            << "\n";
}

// Verifies the bundle of dist/ on the target `open` gives (opened once the bundle is checked)
// and reports; throws Error(kValidation) when a migration failed the check.
void VerifyOn(const Context& ctx, const std::function<Target()>& open, bool allow_existing) {
  Bundle bundle = Bundle::Open(ctx.DistPath(), Bundle::Verify::kListing);
  Target target = open();
  VerifyOptions options;
  options.run = ctx.MakeRunOptions();
  options.run.stop = InstallStopSignals();
  options.allow_existing = allow_existing;
  options.fresh_database = target.fresh;
  bool json_out = ctx.options().json;
  VerifyObserver quiet;
  LineObserver lines(ctx, target.shown);
  VerifyResult r = Verify(*target.db, bundle, options, json_out ? quiet : lines);
  target.db.reset();  // a temporary database is dropped before the verdict
  if (json_out) {
    PrintJson(r, target.shown);
    if (r.Failed() > 0) throw Reported(ErrorCode::kValidation);
    return;
  }
  ctx.out() << "Verified " << r.migrations.size() << " migration(s) in " << r.duration_ms
            << " ms: " << r.Checked() << " checked, " << r.Passed() << " passed, " << r.Failed()
            << " failed, " << r.NotChecked() << " not checked.\n";
  if (r.Failed() > 0) {
    throw Error(ErrorCode::kValidation,
                "verify failed: " + std::to_string(r.Failed()) +
                    " migration(s) above do not round-trip (up, down, up again)");
  }
}

}  // namespace

void VerifyBundleOn(const Context& ctx, const std::string& url) {
  VerifyOn(
      ctx,
      [&] {
        if (DialectOfUrl(url) == kDialectPostgres) return TemporaryOn(ctx, url, "--verify-url");
        for (const std::string& s : SecretsOfUrl(url)) RegisterSecret(s);
        DriverOptions options;
        options.tables = ctx.config().tables;
        std::function<std::unique_ptr<Driver>()> open = [url, options] {
          return OpenDriver(url, options);
        };
        return Target{open(), RedactUrl(url), url == "sqlite::memory:" ? open : nullptr};
      },
      false);
}

void RegisterVerifyCommand(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* verify = app.add_subcommand(
      "verify", "On a scratch database: each migration up, down, up again; the down must undo");
  auto dev_url = std::make_shared<std::string>();
  auto allow_existing = std::make_shared<bool>(false);
  verify->add_option("--dev-url", *dev_url,
                     "PostgreSQL server where a temporary database is made (and dropped); "
                     "default: the environment's dev_url");
  verify->add_flag("--allow-existing", *allow_existing,
                   "Verify on a database that has tables: check the pending migrations on top");
  verify->callback([&globals, &action, dev_url, allow_existing] {
    action = [&globals, dev_url, allow_existing] {
      Context ctx(globals);
      auto open = [&] {
        if (!dev_url->empty()) return TemporaryOn(ctx, *dev_url, "--dev-url");
        if (std::string env_dev = ctx.DevUrl(""); !env_dev.empty()) {
          return TemporaryOn(ctx, env_dev, "the environment's dev_url");
        }
        return Target{ctx.OpenDatabase(CreateFile::kYes), RedactUrl(ctx.DatabaseUrl()), {}};
      };
      VerifyOn(ctx, open, *allow_existing);
    };
  });
}

}  // namespace migrate::cli
