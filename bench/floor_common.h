// Shared pieces of the floor baselines (tw_floor_ndjson, tw_floor_gz): the per-record work both
// do, and the counters they print.
//
// The "floor" is the least work any CloudTrail scanner must do per event: parse the record with
// simdjson On-Demand and read eventSource, eventName and errorCode. trailwatch's targets are
// expressed as ratios against these programs measured in the same run.
#pragma once

#include <simdjson.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <string_view>

namespace tw::bench {

// What a floor program accumulates; the checksum keeps the compiler from dropping field reads.
struct FloorCounters {
  uint64_t bytes = 0;
  uint64_t events = 0;
  uint64_t with_error_code = 0;
  uint64_t parse_errors = 0;
  uint64_t checksum = 0;

  void Add(const FloorCounters& other) {
    bytes += other.bytes;
    events += other.events;
    with_error_code += other.with_error_code;
    parse_errors += other.parse_errors;
    checksum += other.checksum;
  }
};

inline uint64_t Fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return h;
}

// Reads the three fields of one CloudTrail record. Field order in real records is eventSource,
// eventName, ..., errorCode, so unordered lookup in that order scans each object once.
inline void VisitRecord(simdjson::ondemand::object record, FloorCounters* counters) {
  std::string_view source, name, error_code;
  if (record["eventSource"].get_string().get(source) != simdjson::SUCCESS ||
      record["eventName"].get_string().get(name) != simdjson::SUCCESS) {
    ++counters->parse_errors;
    return;
  }
  ++counters->events;
  counters->checksum += Fnv1a(source) ^ Fnv1a(name);
  if (record["errorCode"].get_string().get(error_code) == simdjson::SUCCESS) {
    ++counters->with_error_code;
    counters->checksum += Fnv1a(error_code);
  }
}

inline void PrintCounters(const char* program, const FloorCounters& c, double seconds,
                          unsigned threads) {
  std::printf(
      "%s: threads=%u bytes=%llu events=%llu with_error_code=%llu parse_errors=%llu "
      "checksum=%016llx seconds=%.3f MB/s=%.1f events/s=%.0f\n",
      program, threads, static_cast<unsigned long long>(c.bytes),
      static_cast<unsigned long long>(c.events), static_cast<unsigned long long>(c.with_error_code),
      static_cast<unsigned long long>(c.parse_errors), static_cast<unsigned long long>(c.checksum),
      seconds, seconds > 0 ? static_cast<double>(c.bytes) / 1e6 / seconds : 0.0,
      seconds > 0 ? static_cast<double>(c.events) / seconds : 0.0);
}

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace tw::bench
