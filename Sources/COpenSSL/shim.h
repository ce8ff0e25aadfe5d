// OpenSSL's libcrypto, already linked for libcurl's TLS: used for PBKDF2-HMAC-SHA256, whose
// 1,000,000 rounds (Pulumi's passphrase secrets) need a C-speed implementation.
#ifndef FLEETDECK_COPENSSL_SHIM_H
#define FLEETDECK_COPENSSL_SHIM_H
#include <openssl/evp.h>

static inline int fd_pbkdf2_sha256(const char *password, int passwordLength, const unsigned char *salt, int saltLength,
                                   int iterations, unsigned char *out, int outLength) {
    return PKCS5_PBKDF2_HMAC(password, passwordLength, salt, saltLength, iterations, EVP_sha256(), outLength, out);
}
#endif
