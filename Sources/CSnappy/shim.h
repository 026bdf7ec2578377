// Snappy block compression through its C API (Debian libsnappy-dev).
// RLPx uses the block format, not the framed/stream format (EIP-706).
#include <stddef.h>
#include <snappy-c.h>
