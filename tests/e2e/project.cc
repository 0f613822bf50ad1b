#include "e2e/project.h"

#include <SQLiteCpp/SQLiteCpp.h>

#include <regex>

namespace migrate::testing {

Project::Project(const std::string& project_keys) {
  WriteFile(dir_ / "config.toml",
            "[project]\n" + project_keys + "\n[environments.local]\nurl = \"sqlite:test.db\"\n");
  std::filesystem::create_directories(dir_ / "migrations");
}

void Project::CopyExample() const {
  namespace fs = std::filesystem;
  fs::copy_file(SourceDir() / "config.toml", dir_ / "config.toml",
                fs::copy_options::overwrite_existing);
  fs::copy(SourceDir() / "migrations", dir_ / "migrations",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  fs::copy(SourceDir() / "schema", dir_ / "schema",
           fs::copy_options::recursive | fs::copy_options::overwrite_existing);
}

void Project::Add(const std::string& name, const std::string& sql) const {
  WriteFile(dir_ / ("migrations/" + name), sql);
}

ProcessResult Project::Run(const std::vector<std::string>& args,
                           const std::map<std::string, std::string>& env) const {
  return RunMigrate(args, dir_.path(), env);
}

void Project::AddTables(std::initializer_list<const char*> names) const {
  for (const char* t : names) {
    std::string table = std::string(t).substr(std::string(t).find('_') + 1);
    Add(std::string(t) + ".up.sql", "CREATE TABLE " + table + " (id INTEGER PRIMARY KEY);\n");
    Add(std::string(t) + ".down.sql", "DROP TABLE " + table + ";\n");
  }
}

std::vector<std::string> Project::History() const {
  return Query("SELECT version FROM migrate_history ORDER BY CAST(version AS INTEGER)");
}

std::vector<std::string> Project::Query(const std::string& sql) const {
  SQLite::Database db((dir_ / "test.db").string());
  SQLite::Statement q(db, sql);
  std::vector<std::string> out;
  while (q.executeStep()) out.push_back(q.getColumn(0).getString());
  return out;
}

void Project::Exec(const std::string& sql) const {
  SQLite::Database db((dir_ / "test.db").string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.exec(sql);
}

std::vector<std::string> Project::Tables() const {
  return Query(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'migrate\\_%' "
      "ESCAPE '\\' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name");
}

std::vector<std::string> Written(const Project& p, const std::string& slug) {
  std::vector<std::string> out;
  std::regex re(R"(\d{14}_)" + slug + R"(\.(up|down)\.sql)");
  for (const auto& [name, bytes] : Snapshot(p / "migrations")) {
    if (std::regex_match(name, re)) out.push_back(name);
  }
  return out;
}

std::string MigrationText(const Project& p, const std::string& name) {
  return ReadFile(p / ("migrations/" + name));
}

}  // namespace migrate::testing
