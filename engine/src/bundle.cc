#include "migrate/bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <future>
#include <set>
#include <sstream>

#include "migrate/text.h"
#include "parallel.h"

namespace migrate {
namespace fs = std::filesystem;
namespace {

Error IoError(const std::string& what, const fs::path& path) {
  return Error(ErrorCode::kIo, what + " " + path.string() + ": " + std::strerror(errno));
}

void SyncPath(const fs::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IoError("cannot open", path);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) throw IoError("cannot fsync", path);
}

void WriteFile(const fs::path& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw IoError("cannot create", path);
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ::close(fd);
      throw IoError("cannot write", path);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::close(fd) != 0) throw IoError("cannot write", path);
}

std::string ReadWhole(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    if (fd >= 0) ::close(fd);
    throw Error(ErrorCode::kCorruptBundle,
                "cannot read " + path.string() + ": " + std::strerror(errno));
  }
  std::string bytes;
  bytes.resize(static_cast<std::size_t>(st.st_size));
  std::size_t done = 0;
  for (;;) {
    if (done == bytes.size()) bytes.resize(done + 4096);  // the file grew
    ssize_t n = ::read(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int err = errno;
      ::close(fd);
      if (n < 0) {
        throw Error(ErrorCode::kCorruptBundle,
                    "cannot read " + path.string() + ": " + std::strerror(err));
      }
      bytes.resize(done);
      return bytes;
    }
    done += static_cast<std::size_t>(n);
  }
}

Error Corrupt(const fs::path& dist, const std::string& message) {
  return Error(ErrorCode::kCorruptBundle,
               "the bundle in " + dist.string() + " does not match its manifest: " + message +
                   ". Rebuild it with 'migrate build' and deploy the whole folder");
}

// Removes a folder tree without throwing; for clean-up paths. A bundle folder is flat, so
// its files are unlinked on every core first.
void RemoveQuietly(const fs::path& path) noexcept {
  std::error_code ec;
  std::vector<fs::path> children;
  for (const auto& e : fs::directory_iterator(path, ec)) {
    if (!e.is_directory(ec)) children.push_back(e.path());
  }
  try {
    ParallelFor(children.size(), [&](std::size_t i) {
      std::error_code ignored;
      fs::remove(children[i], ignored);
    });
  } catch (...) {
    // remove_all below gets what is left
  }
  fs::remove_all(path, ec);
}

// Every file in `dist` but the manifest: name → size. Throws Error(kCorruptBundle) for a
// symlink or anything that is not a regular file, the manifest included.
std::map<std::string, long long> ScanFolder(const fs::path& dist) {
  int fd = ::open(dist.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = fd < 0 ? nullptr : ::fdopendir(fd);
  if (!dir) {
    if (fd >= 0) ::close(fd);
    throw Corrupt(dist, std::string("cannot list the folder: ") + std::strerror(errno));
  }
  std::vector<std::string> names;
  errno = 0;
  while (const dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name != "." && name != "..") names.emplace_back(name);
  }
  if (errno != 0) {
    int err = errno;
    ::closedir(dir);
    throw Corrupt(dist, std::string("cannot list the folder: ") + std::strerror(err));
  }
  // One fstatat per file, relative to the folder and on every core: 20000 of them are most
  // of a no-op run.
  std::vector<struct stat> stats(names.size());
  std::vector<int> errors(names.size(), 0);
  ParallelFor(names.size(), [&](std::size_t i) {
    if (::fstatat(fd, names[i].c_str(), &stats[i], AT_SYMLINK_NOFOLLOW) != 0) errors[i] = errno;
  });
  ::closedir(dir);
  std::map<std::string, long long> found;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (errors[i] != 0) {
      throw Corrupt(dist, "cannot read " + names[i] + ": " + std::strerror(errors[i]));
    }
    if (S_ISLNK(stats[i].st_mode)) throw Corrupt(dist, names[i] + " is a symlink");
    if (!S_ISREG(stats[i].st_mode)) throw Corrupt(dist, names[i] + " is not a regular file");
    if (names[i] == kManifestName) continue;
    found.emplace(std::move(names[i]), static_cast<long long>(stats[i].st_size));
  }
  return found;
}

// Compares the folder with the manifest's entries file by file, and with `hash` every file's
// SHA-256. Throws Error(kCorruptBundle) naming the first difference.
void CompareListing(const fs::path& dist, const Manifest& manifest,
                    const std::map<std::string, long long>& found, bool hash) {
  std::map<std::string, const ManifestFile*> listed;
  for (const ManifestEntry& e : manifest.migrations) {
    for (const ManifestFile& f : e.files) {
      if (f.name.find('/') != std::string::npos || f.name == "." || f.name == "..") {
        throw Corrupt(dist, "the manifest names a path '" + f.name + "', not a file name");
      }
      if (!listed.emplace(f.name, &f).second) throw Corrupt(dist, f.name + " is listed twice");
    }
  }
  for (const auto& [name, bytes] : found) {
    auto it = listed.find(name);
    if (it == listed.end()) throw Corrupt(dist, name + " is not in the manifest");
    if (bytes != it->second->bytes) throw Corrupt(dist, name + " was changed after the build");
  }
  for (const auto& [name, file] : listed) {
    if (!found.count(name)) throw Corrupt(dist, name + " is missing");
  }
  if (hash) {
    std::vector<const ManifestFile*> files;
    for (const auto& [name, file] : listed) files.push_back(file);
    ParallelFor(files.size(), [&](std::size_t i) {
      if (Sha256Hex(ReadWhole(dist / files[i]->name)) != files[i]->sha256) {
        throw Corrupt(dist, files[i]->name + " was changed after the build");
      }
    });
  }
}

// For each of `items` (name, bytes): whether `dist` holds a regular file of that name with
// exactly those bytes. All false when `dist` is not a folder.
std::vector<char> SameAsInFolder(
    const fs::path& dist,
    const std::vector<const std::pair<const std::string, std::string_view>*>& items) {
  std::vector<char> same(items.size(), 0);
  std::error_code ec;
  if (!fs::is_directory(fs::symlink_status(dist, ec))) return same;
  ParallelFor(items.size(), [&](std::size_t i) {
    int fd = ::open((dist / items[i]->first).c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return;
    struct stat st;
    std::string_view want = items[i]->second;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
        static_cast<std::size_t>(st.st_size) == want.size()) {
      // Compared a chunk at a time: the old manifest alone can be megabytes.
      char chunk[1 << 16];
      std::size_t done = 0;
      bool equal = true;
      while (equal && done < want.size()) {
        ssize_t n = ::read(fd, chunk, std::min(sizeof chunk, want.size() - done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        std::size_t got = static_cast<std::size_t>(n);
        equal = want.compare(done, got, chunk, got) == 0;
        done += got;
      }
      same[i] = equal && done == want.size();
    }
    ::close(fd);
  });
  return same;
}

// The number of entries in `path` (0 when it cannot be listed).
std::size_t CountEntries(const fs::path& path) {
  std::error_code ec;
  std::size_t n = 0;
  for (auto it = fs::directory_iterator(path, ec); !ec && it != fs::directory_iterator();
       it.increment(ec)) {
    ++n;
  }
  return n;
}
}  // namespace

RenderedBundle RenderBundle(const MigrationSet& set) {
  RenderedBundle bundle;
  bundle.manifest = RenderManifest(set);
  for (const Migration& m : set.migrations) {
    for (const SourceFile& f : m.files) bundle.files[f.name] = f.text;
  }
  bundle.files[std::string(kManifestName)] = bundle.manifest;
  return bundle;
}

BundleWrite WriteBundle(const MigrationSet& set, const fs::path& dist) {
  RenderedBundle rendered = RenderBundle(set);
  std::vector<const std::pair<const std::string, std::string_view>*> items;
  for (const auto& item : rendered.files) items.push_back(&item);
  std::vector<char> same = SameAsInFolder(dist, items);
  BundleWrite result;
  if (std::all_of(same.begin(), same.end(), [](char s) { return s; }) &&
      CountEntries(dist) == items.size()) {
    result.unchanged = true;
    return result;
  }
  fs::path parent = dist.parent_path().empty() ? fs::path(".") : dist.parent_path();
  std::error_code ec;
  fs::create_directories(parent, ec);
  if (ec) throw Error(ErrorCode::kIo, "cannot create " + parent.string() + ": " + ec.message());
  std::string base = "." + dist.filename().string() + ".tmp-" + std::to_string(::getpid());
  fs::path tmp = parent / base;
  RemoveQuietly(tmp);
  try {
    if (!fs::create_directory(tmp, ec) || ec) throw IoError("cannot create", tmp);
    std::atomic<std::size_t> linked{0};
    ParallelFor(items.size(), [&](std::size_t i) {
      const std::string& name = items[i]->first;
      // A link shares the old, already durable inode; where links are not supported the
      // file is written.
      if (same[i] && ::link((dist / name).c_str(), (tmp / name).c_str()) == 0) {
        ++linked;
      } else {
        WriteFile(tmp / name, items[i]->second);
      }
    });
    result.linked = linked;
    result.written = items.size() - result.linked;
    // One syncfs makes every file durable before the rename publishes them: thousands of
    // per-file fsyncs cost more than the rest of the build.
    int dir = ::open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) throw IoError("cannot open", tmp);
    int rc = ::syncfs(dir);
    ::close(dir);
    if (rc != 0) throw IoError("cannot sync", tmp);
    if (fs::exists(fs::symlink_status(dist))) {
      // Swap old and new in one step, then delete the old one now at `tmp`.
      if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dist.c_str(), RENAME_EXCHANGE) != 0) {
        throw IoError("cannot replace", dist);
      }
    } else if (::rename(tmp.c_str(), dist.c_str()) != 0) {
      throw IoError("cannot publish", dist);
    }
    SyncPath(parent, O_RDONLY | O_DIRECTORY);
  } catch (...) {
    RemoveQuietly(tmp);
    throw;
  }
  RemoveQuietly(tmp);
  return result;
}

std::vector<std::string> DiffBundle(const MigrationSet& set, const fs::path& dist) {
  std::error_code ec;
  if (!fs::is_directory(dist, ec)) return {dist.string() + " does not exist"};
  RenderedBundle rendered = RenderBundle(set);
  std::vector<const std::pair<const std::string, std::string_view>*> items;
  for (const auto& item : rendered.files) items.push_back(&item);
  std::vector<char> same = SameAsInFolder(dist, items);
  std::set<std::string> present;
  for (const auto& entry : fs::directory_iterator(dist, ec)) {
    present.insert(entry.path().filename().string());
  }
  std::vector<std::string> out;
  for (const std::string& name : present) {
    if (!rendered.files.count(name)) out.push_back(name + " is in dist but not in the sources");
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string& name = items[i]->first;
    if (!present.count(name)) {
      out.push_back(name + " is missing from dist");
    } else if (!same[i]) {
      out.push_back(name + " differs from the sources");
    }
  }
  return out;
}

Bundle Bundle::Open(const fs::path& dist, Verify verify) {
  std::error_code ec;
  fs::path manifest_path = dist / kManifestName;
  if (!fs::is_directory(dist, ec) || !fs::exists(manifest_path, ec)) {
    throw Error(ErrorCode::kCorruptBundle,
                "no bundle in " + dist.string() + ": run 'migrate build' first");
  }
  // The folder listing (20000 fstatat for 10000 migrations) runs beside the manifest's
  // read and digest; both are done before this returns.
  std::future<std::map<std::string, long long>> scan =
      std::async(std::launch::async, [&dist] { return ScanFolder(dist); });
  std::string text = ReadWhole(manifest_path);
  ManifestHeader header = ParseManifestHeader(text, manifest_path.string());
  Bundle bundle(dist, std::move(header));
  std::map<std::string, long long> found = scan.get();
  if (verify == Verify::kEveryFile || ListingDigest(found) != bundle.header_.listing) {
    // Parse the entries to say what differs (or to hash every file).
    CompareListing(dist, bundle.manifest(), found, verify == Verify::kEveryFile);
  }
  return bundle;
}

const Manifest& Bundle::manifest() const {
  if (!manifest_) {
    // Read again rather than kept: a no-op run never needs the entries.
    fs::path path = path_ / kManifestName;
    Manifest parsed = ParseManifest(ReadWhole(path), path.string());
    if (parsed.header.digest != header_.digest) {
      throw Corrupt(path_, std::string(kManifestName) + " changed during the run");
    }
    manifest_ = std::move(parsed);
  }
  return *manifest_;
}

void Bundle::VerifyFiles(const std::vector<const ManifestFile*>& files) const {
  for (const ManifestFile* f : files) Read(*f);
}

std::string Bundle::Read(const ManifestFile& file) const {
  fs::path p = path_ / file.name;
  if (fs::is_symlink(p)) throw Corrupt(path_, file.name + " is a symlink");
  std::string bytes = ReadWhole(p);
  if (Sha256Hex(bytes) != file.sha256) {
    throw Corrupt(path_, file.name + " changed during the run or after the build");
  }
  return bytes;
}

}  // namespace migrate
