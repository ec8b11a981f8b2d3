// Fuzz target: the parsers of src/aws/ that read what a remote peer or a user file says: AWS
// error bodies (XML and JSON), the shared config/credentials files, credential JSON documents,
// ISO-8601 timestamps and URLs; and the SigV4 canonicalisation of arbitrary paths and queries.
// Contracts checked: a normalised path starts with '/' and has no empty, "." or ".." segment;
// a canonical query holds only unreserved characters, '%', '=' and '&'.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "aws/aws_error.h"
#include "aws/credentials/json_credentials.h"
#include "aws/credentials/shared_config.h"
#include "aws/dynamodb_client.h"
#include "aws/notification.h"
#include "aws/sigv4/sigv4_signer.h"
#include "aws/url.h"

namespace {

void Check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "aws_fuzzer: contract broken: %s\n", what);
    std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  using namespace tw::aws;
  (void)ParseAwsError(HttpResponse{400, {}, std::string(in)});
  (void)ParseAwsError(HttpResponse{400, {{"x-amzn-query-error", std::string(in)}}, "{}"});
  (void)SharedConfig::Parse(in, in);
  (void)ParseJsonCredentials(in, "Token", true, "fuzz");
  (void)tw::aws::ParseIso8601(in);
  (void)ParseUrl(in);
  (void)PercentDecode(in);
  if (auto n = ParseNotification(in)) {
    Check(n->kind != Notification::Kind::kS3Objects || n->event_json.empty(),
          "an S3 notification carries no event");
    for (const S3ObjectRef& o : n->objects) Check(!o.bucket.empty(), "object with a bucket");
  } else {
    Check(n.error().message.size() < 1024, "notification errors are bounded");
  }
  (void)DecodeS3EventKey(in);
  if (auto item = ItemFromJson(in)) {
    auto back = ItemFromJson(ItemToJson(*item));
    Check(back && *back == *item, "a DynamoDB item survives its wire form");
  }

  std::string path = NormalizePath(in);
  Check(!path.empty() && path.front() == '/', "normalised path starts with '/'");
  Check(path.find("//") == std::string::npos, "normalised path has no empty segment");
  Check(path.find("/./") == std::string::npos && path.find("/../") == std::string::npos,
        "normalised path has no dot segment");
  std::string query = CanonicalQuery(in);
  for (char c : query) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '_' || c == '~' || c == '%' || c == '=' || c == '&';
    Check(ok, "canonical query characters");
  }
  (void)CanonicalUri(in, true, true);
  (void)CanonicalUri(in, false, false);
  return 0;
}
