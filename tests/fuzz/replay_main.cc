// A stand-in for libFuzzer's driver: runs LLVMFuzzerTestOneInput once over every input named on
// the command line, so the fuzz targets build with any compiler and their seed corpora run as
// ordinary ctest tests (under TW_SANITIZE too).
//
// Usage: <target>_fuzzer FILE_OR_DIR...   (directories are walked recursively, files sorted by
// path). Arguments starting with '-' are libFuzzer flags and are ignored here. Exits non-zero when
// an input cannot be read or no input was found, so an empty or misplaced corpus fails the test;
// a crash or a sanitizer report fails it the usual way.
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

bool CollectInputs(const fs::path& arg, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_directory(arg, ec)) {
    for (fs::recursive_directory_iterator it(arg, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file(ec)) out.push_back(it->path());
    }
  } else if (fs::is_regular_file(arg, ec)) {
    out.push_back(arg);
  } else {
    std::fprintf(stderr, "replay: %s: not a file or directory\n", arg.c_str());
    return false;
  }
  if (ec) {
    std::fprintf(stderr, "replay: %s: %s\n", arg.c_str(), ec.message().c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  bool ok = true;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;
    ok = CollectInputs(argv[i], inputs) && ok;
  }
  std::sort(inputs.begin(), inputs.end());
  if (inputs.empty()) {
    std::fprintf(stderr, "replay: no inputs\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  size_t bytes = 0;
  for (const auto& path : inputs) {
    std::ifstream in(path, std::ios::binary);
    std::vector<char> buf((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (in.bad()) {
      std::fprintf(stderr, "replay: %s: read error\n", path.c_str());
      ok = false;
      continue;
    }
    // Print before running, so the input that crashes is the last one named.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", path.c_str(), buf.size());
    // A heap copy of exactly the input's size, so ASan sees reads past the end.
    std::vector<uint8_t> data(buf.begin(), buf.end());
    LLVMFuzzerTestOneInput(data.empty() ? nullptr : data.data(), data.size());
    bytes += buf.size();
  }
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "replay: %zu inputs, %zu bytes, %.1f ms\n", inputs.size(), bytes, ms);
  return ok ? 0 : 1;
}
