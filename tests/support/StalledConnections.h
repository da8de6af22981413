// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Plain TCP clients that never complete a TLS handshake, to check that a TLS
// server keeps accepting after them.

#include <QtGlobal>

namespace TrainGuard::TestSupport {

// Opens `count` TCP connections to 127.0.0.1:`port`; after 300 ms the odd ones
// send clear-text HTTP and the even ones abort; after `settle_ms` all close.
// False if one did not connect within 5 s.
bool stallHandshakes(quint16 port, int count, int settle_ms);

} // namespace TrainGuard::TestSupport
