#include "alert/alert_id.h"

#include <openssl/evp.h>

#include <memory>

#include "common/error.h"

namespace tw::alert {

namespace {

// SHA-256, fetched from OpenSSL's default provider once: EVP_sha256() makes every digest look
// the algorithm up again (EVP_MD_fetch), and EVP_Digest allocates and frees a context per call.
// Together they were most of the cost of an alert id. Never freed: both live as long as the
// process (the context as long as its thread). Thread-safe: the fetched EVP_MD may be shared
// across threads (a function-local static), the context is per thread.
const EVP_MD* Sha256() {
  static const EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  TW_CHECK(md != nullptr);
  return md;
}

EVP_MD_CTX* ThreadContext() {
  thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                                 &EVP_MD_CTX_free);
  TW_CHECK(ctx != nullptr);
  return ctx.get();
}

}  // namespace

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // These fail only on allocation failure.
  EVP_MD_CTX* ctx = ThreadContext();
  TW_CHECK(EVP_DigestInit_ex2(ctx, Sha256(), nullptr) == 1);
  TW_CHECK(EVP_DigestUpdate(ctx, data.data(), data.size()) == 1);
  TW_CHECK(EVP_DigestFinal_ex(ctx, digest, &len) == 1);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0xF];
  }
  return out;
}

std::string ComputeAlertId(std::string_view rule_id, std::string_view event_id,
                           std::string_view dedupe_key) {
  std::string input = "tw-alert-v1";
  input += '\0';
  input.append(rule_id);
  input += '\0';
  input.append(event_id);
  input += '\0';
  input.append(dedupe_key);
  return Sha256Hex(input).substr(0, 32);
}

void AssignAlertId(Alert& alert) {
  if (!alert.event_id.empty()) {
    alert.id = ComputeAlertId(alert.rule_id, alert.event_id, alert.dedupe_key);
  } else {
    alert.id =
        ComputeAlertId(alert.rule_id, "record:" + Sha256Hex(alert.record_json), alert.dedupe_key);
  }
}

}  // namespace tw::alert
