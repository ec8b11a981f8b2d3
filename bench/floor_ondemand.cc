// tw_floor_ondemand FILE: the bare NDJSON floor the issue-12 targets refer to.
//
// Reads FILE in 8 MiB windows (one buffer, reused; each window cut after its last newline, the
// incomplete tail carried to the front of the next read), walks each window with simdjson
// On-Demand iterate_many, reads eventName of every record and checks it against a set of
// event names (the built-in pack's kind of anchors). Nothing else: no other field, no output
// per event. simdjson's stage-1 helper thread is off (one thread). Memory is the window.
#include <fcntl.h>
#include <simdjson.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <unordered_set>

#include "floor_common.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: tw_floor_ondemand FILE\n");
    return 2;
  }
  const auto start = std::chrono::steady_clock::now();
  const int fd = ::open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::fprintf(stderr, "tw_floor_ondemand: cannot open %s\n", argv[1]);
    return 1;
  }
  const std::unordered_set<std::string_view> names = {"StopLogging",
                                                      "DeleteTrail",
                                                      "UpdateTrail",
                                                      "PutEventSelectors",
                                                      "ConsoleLogin",
                                                      "CreatePolicy",
                                                      "DeletePolicy",
                                                      "CreatePolicyVersion",
                                                      "AttachRolePolicy",
                                                      "AttachUserPolicy",
                                                      "PutBucketPolicy",
                                                      "DeleteBucketPolicy",
                                                      "StopConfigurationRecorder",
                                                      "AuthorizeSecurityGroupIngress",
                                                      "RevokeSecurityGroupIngress",
                                                      "CreateNetworkAclEntry",
                                                      "DisableKey",
                                                      "ScheduleKeyDeletion",
                                                      "StartSession",
                                                      "GetSecretValue",
                                                      "GetParameters",
                                                      "UpdateFunctionCode20150331v2",
                                                      "CreateAccessKey",
                                                      "PutObject"};
  constexpr size_t kWindow = size_t{8} << 20;
  std::string buf(kWindow + simdjson::SIMDJSON_PADDING, '\0');
  simdjson::ondemand::parser parser;
#ifdef SIMDJSON_THREADS_ENABLED
  parser.threaded = false;
#endif
  tw::bench::FloorCounters counters;
  size_t carried = 0;
  bool eof = false;
  while (!eof || carried > 0) {
    size_t have = carried;
    while (!eof && have < kWindow) {
      const ssize_t n = ::read(fd, buf.data() + have, kWindow - have);
      if (n < 0) {
        std::perror("tw_floor_ondemand: read");
        return 1;
      }
      if (n == 0) eof = true;
      have += static_cast<size_t>(n);
    }
    counters.bytes += have - carried;
    // Cut after the last newline (all of it at end of input).
    size_t cut = have;
    if (!eof) {
      const char* nl = static_cast<const char*>(memrchr(buf.data(), '\n', have));
      if (nl == nullptr) {
        std::fprintf(stderr, "tw_floor_ondemand: a line longer than the window\n");
        return 1;
      }
      cut = static_cast<size_t>(nl - buf.data()) + 1;
    }
    simdjson::ondemand::document_stream stream;
    if (cut > 0 && parser.iterate_many(buf.data(), cut, kWindow).get(stream) == simdjson::SUCCESS) {
      for (auto doc : stream) {
        std::string_view name;
        if (doc["eventName"].get_string().get(name) != simdjson::SUCCESS) {
          ++counters.parse_errors;
          continue;
        }
        ++counters.events;
        if (names.count(name) != 0) ++counters.with_error_code;  // "matched" in this floor
        counters.checksum += name.size();
      }
      if (stream.truncated_bytes() != 0) ++counters.parse_errors;
    }
    carried = have - cut;
    std::memmove(buf.data(), buf.data() + cut, carried);
    if (eof && carried == 0) break;
  }
  ::close(fd);
  tw::bench::PrintCounters("tw_floor_ondemand", counters, tw::bench::SecondsSince(start), 1);
  return counters.parse_errors == 0 ? 0 : 1;
}
