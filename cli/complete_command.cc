// `migrate __complete envs|versions`: the words the shell completions (completions/) offer
// for `--env` and `--to`, one a line. Hidden from --help; prints nothing on any error, so a
// broken config.toml never spills into the user's command line.
#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <vector>

#include "commands.h"
#include "migrate/config.h"
#include "migrate/naming.h"

namespace migrate::cli {
namespace fs = std::filesystem;
namespace {

// The config as Context reads it (--config, else ./config.toml, else the defaults), without
// checking --env or MIGRATE_ENV: completing --env must work while they are wrong.
Config CompletionConfig(const GlobalOptions& globals) {
  if (!globals.config_path.empty()) return LoadConfig(globals.config_path);
  if (fs::exists("config.toml")) return LoadConfig("config.toml");
  return DefaultConfig(fs::current_path());
}

// The versions of the migration files in the configured folders, in version order.
std::vector<std::string> Versions(const Config& config) {
  auto by_number = [](const std::string& a, const std::string& b) {
    return CompareVersions(a, b) < 0;
  };
  std::set<std::string, decltype(by_number)> versions(by_number);
  for (const SourceDir& dir : ResolveSources(config)) {
    std::error_code ec;
    for (fs::directory_iterator it(dir.path, ec), end; !ec && it != end; it.increment(ec)) {
      if (auto name = ParseMigrationFileName(it->path().filename().string()))
        versions.insert(name->version);
    }
  }
  return {versions.begin(), versions.end()};
}

void Complete(const GlobalOptions& globals, const std::string& what) {
  std::vector<std::string> words;
  try {
    Config config = CompletionConfig(globals);
    if (what == "envs") {
      for (const auto& [name, env] : config.environments) words.push_back(name);
    } else {
      words = Versions(config);
    }
  } catch (const std::exception&) {
    return;  // no words rather than an error in the middle of the user's command line
  }
  for (const std::string& w : words) std::cout << w << "\n";
}

}  // namespace

void RegisterCompleteCommand(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* complete = app.add_subcommand("__complete", "Words for the shell completions");
  complete->group("");  // hidden from --help
  auto what = std::make_shared<std::string>();
  complete->add_option("what", *what, "envs or versions")
      ->required()
      ->check(CLI::IsMember({"envs", "versions"}));
  complete->callback(
      [&globals, &action, what] { action = [&globals, what] { Complete(globals, *what); }; });
}

}  // namespace migrate::cli
