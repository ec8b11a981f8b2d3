#include "alert/alert_id.h"

#include <openssl/evp.h>

#include "common/error.h"

namespace tw::alert {

std::string Sha256Hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest is one-shot and allocation-free for SHA-256; it fails only on allocation failure.
  TW_CHECK(EVP_Digest(data.data(), data.size(), digest, &len, EVP_sha256(), nullptr) == 1);
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
