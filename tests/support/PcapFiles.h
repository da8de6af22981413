// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Reading back pcap files the code under test wrote, and writing synthetic ones, with libpcap itself.

#include <QString>

namespace TrainGuard::TestSupport {

// The number of packets libpcap reads from the file; -1 if it cannot open it.
int countPackets(const QString &pcapPath);

// A raw-IPv4 capture of `flowCount` UDP flows of one packet each (127.0.0.1:<port> -> 127.0.0.2:9),
// in flow order; false if it cannot be written.
bool writeUdpFlows(const QString &pcapPath, int flowCount);

} // namespace TrainGuard::TestSupport
