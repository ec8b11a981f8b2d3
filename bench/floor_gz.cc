// tw_floor_gz DIR [--threads N]: the .json.gz floor.
//
// Finds every *.json.gz under DIR, gunzips each whole file with libdeflate (all gzip members, as
// `gzip -c a b > c` produces), and walks {"Records":[...]} with simdjson On-Demand, reading
// eventSource, eventName and errorCode of each record. With N threads the files are shared out
// through an atomic cursor; each thread owns its decompressor, parser and buffers, so peak memory
// is about threads x largest decompressed file. MB/s is over uncompressed bytes.
#include <libdeflate.h>
#include <simdjson.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "floor_common.h"

namespace tw::bench {
namespace {

bool ReadWholeFile(const std::string& path, std::vector<uint8_t>* out) {
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) return false;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return false;
  out->resize(static_cast<size_t>(size));
  const bool ok = std::fread(out->data(), 1, out->size(), f) == out->size();
  std::fclose(f);
  return ok;
}

// Decompresses every gzip member of `in` into `out` (resized to the data; capacity keeps
// SIMDJSON_PADDING spare bytes). Returns false on corrupt input.
bool Gunzip(libdeflate_decompressor* d, const std::vector<uint8_t>& in, std::vector<char>* out,
            size_t* out_size) {
  size_t in_pos = 0, out_pos = 0;
  if (out->size() < (size_t{1} << 20)) out->resize(size_t{1} << 20);
  while (in_pos < in.size()) {
    // The last four bytes of a member hold its size mod 2^32; a good first guess for one member.
    if (in_pos == 0 && in.size() >= 4) {
      const size_t isize = size_t{in[in.size() - 4]} | size_t{in[in.size() - 3]} << 8 |
                           size_t{in[in.size() - 2]} << 16 | size_t{in[in.size() - 1]} << 24;
      if (out->size() < isize + simdjson::SIMDJSON_PADDING) {
        out->resize(isize + simdjson::SIMDJSON_PADDING);
      }
    }
    size_t consumed = 0, produced = 0;
    const libdeflate_result r = libdeflate_gzip_decompress_ex(
        d, in.data() + in_pos, in.size() - in_pos, out->data() + out_pos,
        out->size() - out_pos - simdjson::SIMDJSON_PADDING, &consumed, &produced);
    if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
      out->resize(out->size() * 2);
      continue;
    }
    if (r != LIBDEFLATE_SUCCESS) return false;
    in_pos += consumed;
    out_pos += produced;
  }
  *out_size = out_pos;
  return true;
}

struct Worker {
  FloorCounters counters;
  uint64_t bad_files = 0;
};

void Run(const std::vector<std::string>& files, std::atomic<size_t>* cursor, Worker* worker) {
  libdeflate_decompressor* d = libdeflate_alloc_decompressor();
  simdjson::ondemand::parser parser;
  std::vector<uint8_t> compressed;
  std::vector<char> json;
  for (size_t i = cursor->fetch_add(1); i < files.size(); i = cursor->fetch_add(1)) {
    size_t size = 0;
    if (!ReadWholeFile(files[i], &compressed) || !Gunzip(d, compressed, &json, &size)) {
      ++worker->bad_files;
      continue;
    }
    worker->counters.bytes += size;
    simdjson::ondemand::document doc;
    simdjson::ondemand::array records;
    if (parser.iterate(simdjson::padded_string_view(json.data(), size, json.size())).get(doc) !=
            simdjson::SUCCESS ||
        doc["Records"].get_array().get(records) != simdjson::SUCCESS) {
      ++worker->bad_files;
      continue;
    }
    for (auto value : records) {
      simdjson::ondemand::object record;
      if (value.get_object().get(record) != simdjson::SUCCESS) {
        ++worker->counters.parse_errors;
        break;
      }
      VisitRecord(record, &worker->counters);
    }
  }
  libdeflate_free_decompressor(d);
}

}  // namespace
}  // namespace tw::bench

int main(int argc, char** argv) {
  const char* dir = nullptr;
  unsigned threads = 1;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) {
      threads = static_cast<unsigned>(std::strtoul(argv[++i], nullptr, 10));
    } else if (dir == nullptr && !arg.starts_with("--")) {
      dir = argv[i];
    } else {
      threads = 0;
    }
  }
  if (dir == nullptr || threads == 0) {
    std::fprintf(stderr, "usage: tw_floor_gz DIR [--threads N]\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::string> files;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    const std::string path = it->path().string();
    if (it->is_regular_file(ec) && path.ends_with(".json.gz")) files.push_back(path);
  }
  if (ec || files.empty()) {
    std::fprintf(stderr, "tw_floor_gz: no .json.gz files under %s\n", dir);
    return 1;
  }
  std::sort(files.begin(), files.end());
  std::atomic<size_t> cursor{0};
  std::vector<tw::bench::Worker> workers(threads);
  if (threads == 1) {
    tw::bench::Run(files, &cursor, &workers[0]);
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back(tw::bench::Run, std::cref(files), &cursor, &workers[t]);
    }
    for (std::thread& t : pool) t.join();
  }
  tw::bench::FloorCounters total;
  uint64_t bad_files = 0;
  for (const tw::bench::Worker& w : workers) {
    total.Add(w.counters);
    bad_files += w.bad_files;
  }
  tw::bench::PrintCounters("tw_floor_gz", total, tw::bench::SecondsSince(start), threads);
  std::printf("tw_floor_gz: files=%zu bad_files=%llu\n", files.size(),
              static_cast<unsigned long long>(bad_files));
  return bad_files == 0 && total.parse_errors == 0 ? 0 : 1;
}
