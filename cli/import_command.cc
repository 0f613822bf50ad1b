// `migrate import --from TOOL DIR`: another tool's migration folder converted into the
// project's migrations folder (engine import.h). All or nothing: with any error, or a file
// that is already there, nothing is written.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.h"
#include "migrate/import.h"
#include "style.h"

namespace migrate::cli {
namespace fs = std::filesystem;
namespace {

std::map<std::string, std::string> ReadFolder(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    throw Error(ErrorCode::kUsage, dir.string() + " is not a folder");
  }
  std::map<std::string, std::string> files;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw Error(ErrorCode::kIo, "cannot read " + e.path().string());
    files[e.path().filename().string()] = text.str();
  }
  return files;
}

void Import(const Context& ctx, const std::string& tool, const std::string& from) {
  std::optional<ImportSource> source = ImportSourceNamed(tool);
  if (!source) {
    throw Error(ErrorCode::kUsage, "--from " + tool + ": not a tool migrate imports from (" +
                                       ImportSourceNames() + ")");
  }
  ImportResult r = ConvertMigrations(*source, ReadFolder(from), fs::path(from).lexically_normal());
  for (const Diagnostic& d : r.notes) std::cerr << Painted(std::cerr, d) << "\n";
  if (HasErrors(r.notes)) {
    throw Error(ErrorCode::kValidation, "import failed: nothing was written");
  }
  std::vector<SourceDir> dirs = ResolveSources(ctx.config());
  if (dirs.empty()) throw Error(ErrorCode::kConfig, "[project] migrations names no folder");
  fs::path into = dirs.front().path;
  for (const auto& [name, text] : r.files) {
    if (fs::exists(into / name)) {
      throw Error(ErrorCode::kUsage, (fs::path(dirs.front().label) / name).string() +
                                         " exists already: nothing was written");
    }
  }
  fs::create_directories(into);
  for (const auto& [name, text] : r.files) {
    std::ofstream out(into / name, std::ios::binary);
    out << text;
    if (!out) throw Error(ErrorCode::kIo, "cannot write " + (into / name).string());
  }
  ctx.out() << "Imported " << r.versions.size() << " migration(s) (" << r.files.size()
            << " files) from " << from << " (" << tool << ") into " << dirs.front().label
            << (r.notes.empty() ? "" : "; see the notes above") << ". Next: migrate build\n";
}

}  // namespace

void RegisterImportCommand(CLI::App& app, const GlobalOptions& globals, Action& action) {
  auto* cmd = app.add_subcommand(
      "import", "Convert another tool's migration folder into this project's migrations");
  auto tool = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  cmd->add_option("--from", *tool, "The tool: " + ImportSourceNames())->required();
  cmd->add_option("DIR", *from, "Its migrations folder")->required();
  cmd->callback([&globals, &action, tool, from] {
    action = [&globals, tool, from] { Import(Context(globals), *tool, *from); };
  });
}

}  // namespace migrate::cli
