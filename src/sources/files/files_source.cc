#include "sources/files/files_source.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "decode/file_reader.h"

namespace tw::sources {

std::vector<std::string> ExpandInputs(const std::vector<std::string>& inputs,
                                      std::vector<ExpandError>& errors) {
  namespace fs = std::filesystem;
  std::vector<std::string> files;
  for (const std::string& input : inputs) {
    if (input == "-") {
      files.push_back(input);
      continue;
    }
    std::error_code ec;
    const auto status = fs::status(input, ec);
    if (ec || !fs::exists(status)) {
      errors.push_back(ExpandError{input, Error{ErrorCode::kNotFound, "no such file or directory"}});
      continue;
    }
    if (!fs::is_directory(status)) {
      files.push_back(input);
      continue;
    }
    std::vector<std::string> found;
    for (auto it = fs::recursive_directory_iterator(
             input, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it->is_regular_file(ec)) found.push_back(it->path().string());
    }
    if (ec) errors.push_back(ExpandError{input, Error{ErrorCode::kIo, ec.message()}});
    std::sort(found.begin(), found.end());
    files.insert(files.end(), found.begin(), found.end());
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
