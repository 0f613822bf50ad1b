// Writing a bundle: RenderBundle, WriteBundle (atomic, linking what did not change) and
// DiffBundle (for build --check). Reading and verifying one is bundle.cc.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <set>

#include "migrate/bundle.h"
#include "migrate/fault.h"
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
    CrashPoint("bundle-written");
    if (fs::exists(fs::symlink_status(dist))) {
      // Swap old and new in one step, then delete the old one now at `tmp`.
      if (::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, dist.c_str(), RENAME_EXCHANGE) != 0) {
        throw IoError("cannot replace", dist);
      }
    } else if (::rename(tmp.c_str(), dist.c_str()) != 0) {
      throw IoError("cannot publish", dist);
    }
    SyncPath(parent, O_RDONLY | O_DIRECTORY);
    CrashPoint("bundle-published");
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

}  // namespace migrate
