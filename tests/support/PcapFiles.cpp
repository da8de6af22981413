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

} // namespace TrainGuard::TestSupport
