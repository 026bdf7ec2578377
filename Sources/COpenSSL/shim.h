// The parts of OpenSSL's libcrypto (Debian libssl-dev) that HeraldCrypto uses.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
