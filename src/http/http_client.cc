#include "http/http_client.h"

#include <cstdlib>

namespace tw::http {

std::string DefaultCaFile() {
  // libcurl's and OpenSSL's compiled-in bundles are the build machine's (Debian:
  // /etc/ssl/certs/ca-certificates.crt); Amazon Linux keeps it in /etc/pki/tls/certs/ca-bundle.crt.
  // OpenSSL's SSL_CERT_FILE names it on such a host (the SAM template sets it for the Lambda).
  const char* file = std::getenv("SSL_CERT_FILE");
  return file != nullptr ? std::string(file) : std::string();
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

const std::string* Response::FindHeader(std::string_view name) const {
  for (const Header& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return &h.value;
  }
  return nullptr;
}

}  // namespace tw::http
