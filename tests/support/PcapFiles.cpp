// SPDX-License-Identifier: GPL-3.0-or-later
#include "support/PcapFiles.h"

#include <QFile>

#include <pcap/pcap.h>

namespace TrainGuard::TestSupport {

int countPackets(const QString &pcapPath)
{
    char error[PCAP_ERRBUF_SIZE] = {};
    pcap_t *handle = pcap_open_offline(QFile::encodeName(pcapPath).constData(), error);
    if (!handle)
        return -1;
    int packets = 0;
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1)
        ++packets;
    pcap_close(handle);
    return packets;
}

bool writeUdpFlows(const QString &pcapPath, int flowCount)
{
    pcap_t *dead = pcap_open_dead(DLT_RAW, 65535);
    pcap_dumper_t *dumper = dead ? pcap_dump_open(dead, QFile::encodeName(pcapPath).constData()) : nullptr;
    if (!dumper) {
        if (dead)
            pcap_close(dead);
        return false;
    }
    // IPv4 (20 bytes, no options) + UDP (8) + 4 bytes of payload; checksums are not checked.
    unsigned char packet[32] = {0x45, 0, 0, 32, 0, 0, 0, 0, 64, 17, 0, 0, 127, 0,   0,   1,
                                127,  0, 0, 2,  0, 0, 0, 9, 0,  12, 0, 0, 'p', 'i', 'n', 'g'};
    for (int flow = 0; flow < flowCount; ++flow) {
        const int port = 1024 + flow % 64000;
        packet[15] = static_cast<unsigned char>(1 + flow / 64000); // beyond 64000 flows: another source
        packet[20] = static_cast<unsigned char>(port >> 8);
        packet[21] = static_cast<unsigned char>(port & 0xff);
        pcap_pkthdr header{};
        header.ts.tv_sec = 1'700'000'000 + flow / 1000;
        header.ts.tv_usec = (flow % 1000) * 1000;
        header.caplen = header.len = sizeof packet;
        pcap_dump(reinterpret_cast<u_char *>(dumper), &header, packet);
    }
    const bool flushed = pcap_dump_flush(dumper) == 0;
    pcap_dump_close(dumper);
    pcap_close(dead);
    return flushed;
}

} // namespace TrainGuard::TestSupport
