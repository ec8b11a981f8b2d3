// tw_floor_cwl EVENT.json [--runs N]: the floor of one warm CloudWatch Logs invocation (T6).
//
// EVENT.json is a Lambda `awslogs` event ({"awslogs":{"data":"<base64 of gzip>"}}, as
// tw_gen_corpus --cwl-payload writes it). Each run does, in this process and with every buffer
// kept from the run before (a warm Lambda): read `awslogs.data` with simdjson On-Demand, decode
// the base64 (a plain table decoder), inflate the gzip with libdeflate into a buffer sized from
// the gzip trailer, walk the payload with On-Demand and, for each logEvents[i].message (a JSON
// string, unescaped by simdjson), parse the message with On-Demand and read eventSource,
// eventName and errorCode. That is the least work any handler must do per invocation: no rule,
// no alert, no Runtime API exchange. Prints the median wall time of a run over N runs (after one
// unmeasured run) and the counters of the last run.
#include <libdeflate.h>
#include <simdjson.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include "floor_common.h"

namespace tw::bench {
namespace {

constexpr std::array<int8_t, 256> MakeBase64Table() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < kAlphabet.size(); ++i) {
    t[static_cast<unsigned char>(kAlphabet[i])] = static_cast<int8_t>(i);
  }
  return t;
}
constexpr std::array<int8_t, 256> kBase64 = MakeBase64Table();

// Decodes standard base64 with '=' padding into `out`; false on a byte outside the alphabet.
bool DecodeBase64(std::string_view in, std::vector<uint8_t>* out) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  out->resize(in.size() / 4 * 3 + 3);
  size_t o = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    const int8_t v = kBase64[static_cast<unsigned char>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      (*out)[o++] = static_cast<uint8_t>(acc >> bits);
    }
  }
  out->resize(o);
  return true;
}

struct Buffers {
  simdjson::ondemand::parser event_parser, payload_parser, message_parser;
  libdeflate_decompressor* inflater = libdeflate_alloc_decompressor();
  std::vector<uint8_t> gzip;
  std::vector<char> payload;
  std::string message;  // one message, copied with padding for its own parse
  ~Buffers() { libdeflate_free_decompressor(inflater); }
};

// One invocation. Returns false on any failure (the event is not the expected shape).
bool Invoke(const simdjson::padded_string& event, Buffers* b, FloorCounters* counters) {
  simdjson::ondemand::document doc;
  std::string_view data;
  if (b->event_parser.iterate(event).get(doc) != simdjson::SUCCESS ||
      doc["awslogs"]["data"].get_string().get(data) != simdjson::SUCCESS ||
      !DecodeBase64(data, &b->gzip) || b->gzip.size() < 18) {
    return false;
  }
  const uint8_t* t = b->gzip.data() + b->gzip.size() - 4;
  const size_t isize = size_t{t[0]} | size_t{t[1]} << 8 | size_t{t[2]} << 16 | size_t{t[3]} << 24;
  b->payload.resize(isize + simdjson::SIMDJSON_PADDING);
  size_t produced = 0;
  if (libdeflate_gzip_decompress(b->inflater, b->gzip.data(), b->gzip.size(), b->payload.data(),
                                 isize, &produced) != LIBDEFLATE_SUCCESS) {
    return false;
  }
  counters->bytes += produced;
  simdjson::ondemand::document payload;
  simdjson::ondemand::array events;
  if (b->payload_parser
              .iterate(simdjson::padded_string_view(b->payload.data(), produced, b->payload.size()))
              .get(payload) != simdjson::SUCCESS ||
      payload["logEvents"].get_array().get(events) != simdjson::SUCCESS) {
    return false;
  }
  for (auto entry : events) {
    simdjson::ondemand::object object;
    std::string_view message;
    if (entry.get_object().get(object) != simdjson::SUCCESS ||
        object["message"].get_string().get(message) != simdjson::SUCCESS) {
      ++counters->parse_errors;
      continue;
    }
    b->message.assign(message);
    b->message.append(simdjson::SIMDJSON_PADDING, ' ');
    simdjson::ondemand::document record_doc;
    simdjson::ondemand::object record;
    if (b->message_parser
                .iterate(simdjson::padded_string_view(b->message.data(), message.size(),
                                                      b->message.size()))
                .get(record_doc) != simdjson::SUCCESS ||
        record_doc.get_object().get(record) != simdjson::SUCCESS) {
      ++counters->parse_errors;
      continue;
    }
    VisitRecord(record, counters);
  }
  return true;
}

}  // namespace
}  // namespace tw::bench

int main(int argc, char** argv) {
  const char* path = nullptr;
  long runs = 21;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--runs" && i + 1 < argc) {
      runs = std::strtol(argv[++i], nullptr, 10);
    } else if (path == nullptr && !arg.starts_with("--")) {
      path = argv[i];
    } else {
      runs = 0;
    }
  }
  if (path == nullptr || runs < 1) {
    std::fprintf(stderr, "usage: tw_floor_cwl EVENT.json [--runs N]\n");
    return 2;
  }
  simdjson::padded_string event;
  if (simdjson::padded_string::load(path).get(event) != simdjson::SUCCESS) {
    std::fprintf(stderr, "tw_floor_cwl: cannot read %s\n", path);
    return 1;
  }
  tw::bench::Buffers buffers;
  tw::bench::FloorCounters counters;
  if (!tw::bench::Invoke(event, &buffers, &counters)) {  // the unmeasured first invocation
    std::fprintf(stderr, "tw_floor_cwl: %s is not an awslogs event\n", path);
    return 1;
  }
  std::vector<double> ms;
  for (long r = 0; r < runs; ++r) {
    counters = {};
    const auto start = std::chrono::steady_clock::now();
    tw::bench::Invoke(event, &buffers, &counters);
    ms.push_back(tw::bench::SecondsSince(start) * 1e3);
  }
  std::sort(ms.begin(), ms.end());
  tw::bench::PrintCounters("tw_floor_cwl", counters, ms[ms.size() / 2] / 1e3, 1);
  std::printf("tw_floor_cwl: runs=%ld median_ms=%.3f min_ms=%.3f\n", runs, ms[ms.size() / 2],
              ms.front());
  return 0;
}
