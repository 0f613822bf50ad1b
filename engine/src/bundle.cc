// Reading and verifying a bundle (Bundle). Writing one is bundle_write.cc.
#include "migrate/bundle.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <future>

#include "migrate/sha256.h"
#include "parallel.h"

namespace migrate {
namespace fs = std::filesystem;
namespace {

std::string ReadWhole(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || ::fstat(fd, &st) != 0) {
    int err = errno;
    if (fd >= 0) ::close(fd);
    throw Error(ErrorCode::kCorruptBundle,
                "cannot read " + path.string() + ": " + std::strerror(err));
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

// One read of the folder `dist`: every name in it but `.` and `..`, with the type its
// directory entry gives (DT_UNKNOWN when the file system does not say). `each_stat`, when
// set, is then called with the folder's descriptor, still open.
struct Listing {
  std::vector<std::string> names;
  std::vector<unsigned char> types;
};
Listing ReadFolder(const fs::path& dist, const std::function<void(int, Listing&)>& each_stat) {
  int fd = ::open(dist.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR* dir = fd < 0 ? nullptr : ::fdopendir(fd);
  if (!dir) {
    if (fd >= 0) ::close(fd);
    throw Corrupt(dist, std::string("cannot list the folder: ") + std::strerror(errno));
  }
  Listing listing;
  errno = 0;
  while (const dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    listing.names.emplace_back(name);
    listing.types.push_back(e->d_type);
  }
  if (errno != 0) {
    int err = errno;
    ::closedir(dir);
    throw Corrupt(dist, std::string("cannot list the folder: ") + std::strerror(err));
  }
  try {
    if (each_stat) each_stat(fd, listing);
  } catch (...) {
    ::closedir(dir);
    throw;
  }
  ::closedir(dir);
  return listing;
}

void RefuseKind(const fs::path& dist, const std::string& name, mode_t mode) {
  if (S_ISLNK(mode)) throw Corrupt(dist, name + " is a symlink");
  if (!S_ISREG(mode)) throw Corrupt(dist, name + " is not a regular file");
}

// Every name in `dist` but the manifest, from the folder's one read: no stat per file, the
// directory entry says what each is (a file system that does not costs an fstatat for that
// entry alone). Throws Error(kCorruptBundle) for a symlink or anything not a regular file.
std::vector<std::string> ListNames(const fs::path& dist) {
  Listing listing = ReadFolder(dist, [&dist](int fd, Listing& l) {
    for (std::size_t i = 0; i < l.names.size(); ++i) {
      if (l.types[i] == DT_REG) continue;
      struct stat st;
      if (l.types[i] != DT_UNKNOWN) {
        st.st_mode = l.types[i] == DT_LNK ? S_IFLNK : 0;
      } else if (::fstatat(fd, l.names[i].c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        throw Corrupt(dist, "cannot read " + l.names[i] + ": " + std::strerror(errno));
      }
      RefuseKind(dist, l.names[i], st.st_mode);
    }
  });
  std::erase(listing.names, std::string(kManifestName));
  return std::move(listing.names);
}

// Every file in `dist` but the manifest: name → size. Throws Error(kCorruptBundle) for a
// symlink or anything that is not a regular file, the manifest included.
std::map<std::string, long long> ScanFolder(const fs::path& dist) {
  std::vector<struct stat> stats;
  std::vector<int> errors;
  Listing listing = ReadFolder(dist, [&](int fd, Listing& l) {
    // One fstatat per file, relative to the folder and on every core.
    stats.resize(l.names.size());
    errors.assign(l.names.size(), 0);
    ParallelFor(l.names.size(), [&](std::size_t i) {
      if (::fstatat(fd, l.names[i].c_str(), &stats[i], AT_SYMLINK_NOFOLLOW) != 0) errors[i] = errno;
    });
  });
  std::vector<std::string>& names = listing.names;
  std::map<std::string, long long> found;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (errors[i] != 0) {
      throw Corrupt(dist, "cannot read " + names[i] + ": " + std::strerror(errors[i]));
    }
    RefuseKind(dist, names[i], stats[i].st_mode);
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

}  // namespace

Bundle Bundle::Open(const fs::path& dist, Verify verify) {
  std::error_code ec;
  fs::path manifest_path = dist / kManifestName;
  if (!fs::is_directory(dist, ec) || !fs::exists(manifest_path, ec)) {
    throw Error(ErrorCode::kCorruptBundle,
                "no bundle in " + dist.string() + ": run 'migrate build' first");
  }
  // The folder is read beside the manifest's read and digest; both are done before this
  // returns. kNames: one directory read; else one fstatat per file as well.
  std::future<std::vector<std::string>> names;
  std::future<std::map<std::string, long long>> scan;
  if (verify == Verify::kNames) {
    names = std::async(std::launch::async, [&dist] { return ListNames(dist); });
  } else {
    scan = std::async(std::launch::async, [&dist] { return ScanFolder(dist); });
  }
  std::string text = ReadWhole(manifest_path);
  ManifestHeader header = ParseManifestHeader(text, manifest_path.string());
  Bundle bundle(dist, std::move(header));
  if (verify == Verify::kNames) {
    std::vector<std::string> listed = names.get();
    // Names as built: done. Else (or a bundle without the names digest) the full listing
    // says what differs.
    if (!bundle.header_.names.empty() && NamesDigest(listed) == bundle.header_.names) {
      return bundle;
    }
    scan = std::async(std::launch::deferred, [&dist] { return ScanFolder(dist); });
  }
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
