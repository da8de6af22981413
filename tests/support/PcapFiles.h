#pragma once
// Reading back pcap files the code under test wrote, with libpcap itself.

#include <QString>

namespace TrainGuard::TestSupport {

// The number of packets libpcap reads from the file; -1 if it cannot open it.
int countPackets(const QString &pcapPath);

} // namespace TrainGuard::TestSupport
