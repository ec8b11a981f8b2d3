// Fuzz target: the decoders an input passes through before any pattern sees it: gzip
// (multi-member, with partial recovery), the input classifier, CloudWatch Logs subscription
// payloads in both forms, and strict base64. Also checks the contracts the scanner relies on:
// Gunzip leaves simdjson's padding after its output, and a failed Base64DecodeAppend leaves its
// output as it was.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "decode/base64.h"
#include "decode/cwl_subscription.h"
#include "decode/gzip.h"
#include "decode/input_kind.h"

namespace {

// Small enough that a gzip bomb costs milliseconds, large enough for real CloudTrail files.
constexpr size_t kMaxOut = size_t{16} << 20;

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "decode_fuzzer: contract broken: %s\n", what);
    std::abort();
  }
}

void ParseDecoded(std::string_view doc) {
  (void)tw::decode::ClassifyInput(doc);
  (void)tw::decode::ParseCwlSubscription(doc);
  (void)tw::decode::DecodeCwlLambdaEvent(doc);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);

  (void)tw::decode::LooksGzip(in);
  std::string out;
  auto gunzipped = tw::decode::Gunzip(in, out, kMaxOut);
  Check(out.capacity() >= out.size() + tw::decode::kJsonPadding, "Gunzip padding");
  Check(out.size() <= kMaxOut, "Gunzip max_bytes");
  (void)gunzipped;
  // Whatever decoded (all of it, or the part before the damage) goes on, as the scanner does.
  if (!out.empty()) ParseDecoded(out);

  ParseDecoded(in);

  auto decoded = tw::decode::Base64Decode(in);
  std::string appended = "prefix";
  auto status = tw::decode::Base64DecodeAppend(in, appended);
  Check(decoded.has_value() == status.has_value(), "Base64Decode and Base64DecodeAppend agree");
  if (status) {
    Check(appended == "prefix" + *decoded, "Base64DecodeAppend appends");
  } else {
    Check(appended == "prefix", "failed Base64DecodeAppend leaves its output");
  }
  return 0;
}
