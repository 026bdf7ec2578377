// libsecp256k1 with the recovery and ECDH modules (Debian libsecp256k1-dev).
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <secp256k1_ecdh.h>
