// tw_floor_ndjson FILE [--simdjson-threads]: the NDJSON floor.
//
// Loads the whole file into a padded buffer and walks it with ondemand::parser::iterate_many,
// reading eventSource, eventName and errorCode of every record. Timing covers load and parse.
// By default simdjson's stage-1 helper thread is off so the floor is a true one-thread number;
// --simdjson-threads turns it back on.
#include <simdjson.h>

#include <chrono>
#include <cstdio>
#include <string_view>

#include "floor_common.h"

int main(int argc, char** argv) {
  const char* path = nullptr;
  bool threaded = false;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--simdjson-threads") {
      threaded = true;
    } else if (path == nullptr && !arg.starts_with("--")) {
      path = argv[i];
    } else {
      path = nullptr;
      break;
    }
  }
  if (path == nullptr) {
    std::fprintf(stderr, "usage: tw_floor_ndjson FILE [--simdjson-threads]\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  simdjson::padded_string json;
  if (simdjson::padded_string::load(path).get(json) != simdjson::SUCCESS) {
    std::fprintf(stderr, "tw_floor_ndjson: cannot read %s\n", path);
    return 1;
  }
  simdjson::ondemand::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
  parser.threaded = threaded;
#endif
  simdjson::ondemand::document_stream stream;
  // 4 MB batches: a record must fit in a batch, and CloudTrail records stay under 256 KB.
  if (parser.iterate_many(json, size_t{4} << 20).get(stream) != simdjson::SUCCESS) {
    std::fprintf(stderr, "tw_floor_ndjson: cannot start parsing %s\n", path);
    return 1;
  }
  tw::bench::FloorCounters counters;
  counters.bytes = json.size();
  for (auto doc : stream) {
    simdjson::ondemand::object record;
    if (doc.get_object().get(record) != simdjson::SUCCESS) {
      ++counters.parse_errors;
      continue;
    }
    tw::bench::VisitRecord(record, &counters);
  }
  if (stream.truncated_bytes() != 0) ++counters.parse_errors;
  tw::bench::PrintCounters("tw_floor_ndjson", counters, tw::bench::SecondsSince(start), 1);
  return counters.parse_errors == 0 ? 0 : 1;
}
