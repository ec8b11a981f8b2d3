// Keeps OpenSSL from loading its error-string tables at every start of trailwatch.
//
// libcpp-httplib's library constructor calls OPENSSL_init_ssl with OPENSSL_INIT_LOAD_SSL_STRINGS
// and OPENSSL_INIT_LOAD_CRYPTO_STRINGS, which builds OpenSSL's table of error texts: about 1.1 M
// instructions at every start, a twentieth of a Lambda cold start (bench/README.md, "Start-up,
// third pass"), and nothing in trailwatch reads those texts (errors are reported from
// cpp-httplib's and libcurl's own codes and messages; a certificate problem's text comes from
// X509_verify_cert_error_string, which needs no table). OpenSSL decides each initialisation step
// once per process, and a request not to load the crypto strings, made first, makes every later
// request to load them a no-op (OPENSSL_init_crypto(3)). Only a function of the executable's
// .preinit_array runs before the libraries' constructors, so the request is made there; it sets
// up nothing else (no configuration file is read here: that still happens at the first
// OPENSSL_init_ssl, as before). An OpenSSL error that is printed shows its code without the text
// ("error:0A000086:lib(20)::reason(134)").
#include <openssl/crypto.h>

namespace {

void SkipOpenSslErrorStrings(int /*argc*/, char** /*argv*/, char** /*envp*/) {
  OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS, nullptr);
}

}  // namespace

// The executable's pre-initialisation array (ELF DT_PREINIT_ARRAY): run by the dynamic loader
// after relocation and before any shared library's constructor.
using PreinitFunction = void (*)(int, char**, char**);
[[gnu::section(".preinit_array"), gnu::used]] static const PreinitFunction kSkipErrorStrings =
    &SkipOpenSslErrorStrings;
