#pragma once

#include <QtGlobal>

namespace TrainGuard::Transfer {

// Per-connection limits of the HTTP layer (all configurable by the receiver).
struct HttpLimits {
    int maxHeaderBytes = 16 * 1024;
    int headerTimeout_ms = 10'000;  // first byte of a request to end of its head (slowloris)
    int bodyStallTimeout_ms = 30'000; // longest silence inside a request body
    int idleTimeout_ms = 30'000;    // keep-alive silence between requests
    int readChunkBytes = 256 * 1024; // bytes taken from the socket per step
};

} // namespace TrainGuard::Transfer
