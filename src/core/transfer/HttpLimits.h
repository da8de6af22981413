// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QtGlobal>

namespace TrainGuard::Transfer {

// Per-connection limits of the HTTP layer (all configurable by the receiver).
struct HttpLimits {
    int maxHeaderBytes = 16 * 1024;
    int headerTimeout_ms = 10'000; // first byte of a request to end of its head (slowloris)
    int bodyStallTimeout_ms = 30'000; // longest silence inside a request body
    int idleTimeout_ms = 30'000; // keep-alive silence between requests
    int readChunkBytes = 256 * 1024; // bytes taken from the socket per step
    // Responses the peer has not taken yet: above this, no further request is
    // read, so that a client pipelining requests without reading the answers
    // is held back by TCP instead of filling our write buffer.
    int maxUnsentBytes = 64 * 1024;
};

} // namespace TrainGuard::Transfer
