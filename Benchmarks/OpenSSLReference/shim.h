// OpenSSL's SHA3-256 and AES, the reference points the benchmarks compare
// Herald's own code against (same Keccak-f[1600] permutation as Keccak-256).
#include <openssl/evp.h>
