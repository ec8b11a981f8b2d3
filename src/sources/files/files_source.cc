#include "sources/files/files_source.h"

#include <dirent.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <utility>

#include "decode/file_reader.h"

namespace tw::sources {

namespace {

// Walks directories for ExpandInputs: follows symbolic links (to files and to directories),
// walks each directory once (identified by device and inode, so a link loop ends), and reports
// every entry it cannot read.
class Walker {
 public:
  Walker(std::vector<std::string>& files, std::vector<ExpandError>& errors)
      : files_(files), errors_(errors) {}

  void Walk(const std::string& dir, const struct stat& st) {
    if (!seen_.insert({st.st_dev, st.st_ino}).second) return;  // walked already (a link loop)
    DIR* d = ::opendir(dir.c_str());
    if (d == nullptr) {
      Report(dir, errno, "cannot read directory");
      return;
    }
    std::vector<std::string> names;
    errno = 0;
    while (const struct dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
      errno = 0;
    }
    if (errno != 0) Report(dir, errno, "cannot read directory");
    ::closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      const std::string path = dir.back() == '/' ? dir + name : dir + "/" + name;
      struct stat entry {};
      if (::stat(path.c_str(), &entry) != 0) {  // follows links: a dangling one fails here
        const int err = errno;
        struct stat link {};
        if (::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode) &&
            (err == ENOENT || err == ENOTDIR)) {
          errors_.push_back(
              ExpandError{path, Error{ErrorCode::kNotFound, "broken symbolic link (skipped)"}});
        } else {
          Report(path, err, "cannot read");
        }
        continue;
      }
      if (S_ISDIR(entry.st_mode)) {
        Walk(path, entry);
      } else if (S_ISREG(entry.st_mode)) {
        files_.push_back(path);
      } else {
        errors_.push_back(
            ExpandError{path, Error{ErrorCode::kIo, "not a regular file or directory (skipped)"}});
      }
    }
  }

 private:
  void Report(const std::string& path, int err, const char* what) {
    errors_.push_back(
        ExpandError{path, Error{ErrorCode::kIo, fmt::format("{}: {}", what, std::strerror(err))}});
  }

  std::vector<std::string>& files_;
  std::vector<ExpandError>& errors_;
  std::set<std::pair<dev_t, ino_t>> seen_;
};

}  // namespace

std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs,
                                      std::vector<ExpandError>& errors) {
  std::vector<std::string> files;
  Walker walker(files, errors);
  for (const std::string& input : inputs) {
    if (input == "-") {
      files.push_back(input);
      continue;
    }
    struct stat st {};
    if (::stat(input.c_str(), &st) != 0) {
      const int err = errno;
      errors.push_back(ExpandError{
          input, Error{err == ENOENT || err == ENOTDIR ? ErrorCode::kNotFound : ErrorCode::kIo,
                       err == ENOENT ? std::string("no such file or directory")
                                     : std::string(std::strerror(err))}});
      continue;
    }
    if (S_ISDIR(st.st_mode)) {
      walker.Walk(input, st);
    } else {
      files.push_back(input);  // a file, or a FIFO / device named on purpose
    }
  }
  return files;
}

FilesSource::FilesSource(std::vector<std::string> files) : files_(std::move(files)) {}

Result<std::optional<Batch>> FilesSource::Next(const std::atomic<bool>& stop) {
  if (stop.load(std::memory_order_relaxed)) return std::nullopt;
  const size_t i = next_++;
  if (i >= files_.size()) return std::nullopt;
  Batch batch;
  batch.input = files_[i];
  batch.handle = i;
  auto read = batch.input == "-" ? decode::ReadStream(stdin) : decode::ReadFile(batch.input);
  if (read) {
    batch.documents.push_back(std::move(*read));
  } else {
    batch.error = std::move(read.error());
  }
  return batch;
}

}  // namespace tw::sources
