// SPDX-License-Identifier: GPL-3.0-or-later
// Replays the capture fixtures (tests/data/capture) and any files given on the command line
// through the fuzzer's entry point, so every CI build exercises it without libFuzzer.
#include <QDir>
#include <QFile>

#include <pcap/pcap.h>

#include <cstdio>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

// A pcap file as fuzzer input: its link type index, then its frames length-prefixed.
std::vector<std::uint8_t> inputFromPcap(const QString &path)
{
    std::vector<std::uint8_t> input;
    char errbuf[PCAP_ERRBUF_SIZE] = {};
    pcap_t *handle = pcap_open_offline(QFile::encodeName(path).constData(), errbuf);
    if (!handle)
        return input;
    static constexpr int linkTypes[] = {0, 1, 12, 101, 108, 113, 228, 229, 276};
    const int dlt = pcap_datalink(handle);
    std::uint8_t selector = 1;
    for (std::uint8_t i = 0; i < sizeof linkTypes / sizeof linkTypes[0]; ++i)
        if (linkTypes[i] == dlt)
            selector = i;
    input.push_back(selector);
    pcap_pkthdr *header = nullptr;
    const u_char *data = nullptr;
    while (pcap_next_ex(handle, &header, &data) == 1) {
        const std::uint32_t length = std::min<std::uint32_t>(header->caplen, 0xFFFF);
        input.push_back(std::uint8_t(length >> 8));
        input.push_back(std::uint8_t(length));
        input.insert(input.end(), data, data + length);
    }
    pcap_close(handle);
    return input;
}

} // namespace

int main(int argc, char **argv)
{
    QStringList files;
    for (int i = 1; i < argc; ++i)
        files << QFile::decodeName(argv[i]);
    if (files.isEmpty()) {
        const QDir corpus(QStringLiteral(TRAINGUARD_TEST_DATA_DIR "/capture"));
        for (const QString &name :
             corpus.entryList({QStringLiteral("*.pcap"), QStringLiteral("*.pcapng")}, QDir::Files))
            files << corpus.filePath(name);
    }
    int replayed = 0;
    for (const QString &path : files) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly)) {
            std::fprintf(stderr, "cannot read %s\n", qPrintable(path));
            return 1;
        }
        const QByteArray raw = file.readAll();
        // Raw bytes (a libFuzzer crash file, or a pcap read as noise) ...
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t *>(raw.constData()), std::size_t(raw.size()));
        // ... and the frames of a pcap in the fuzzer's format, with every bit-flip of byte 0.
        std::vector<std::uint8_t> input = inputFromPcap(path);
        if (!input.empty()) {
            for (std::uint8_t selector = 0; selector < 9; ++selector) {
                input[0] = selector;
                LLVMFuzzerTestOneInput(input.data(), input.size());
            }
            // Every frame truncated to half: the snap-length paths.
            std::vector<std::uint8_t> halved{input[0]};
            for (std::size_t offset = 1; offset + 2 <= input.size();) {
                const std::size_t length = std::size_t(input[offset]) << 8 | input[offset + 1];
                halved.push_back(std::uint8_t((length / 2) >> 8));
                halved.push_back(std::uint8_t(length / 2));
                halved.insert(halved.end(), input.begin() + long(offset + 2),
                              input.begin() + long(offset + 2 + length / 2));
                offset += 2 + length;
            }
            LLVMFuzzerTestOneInput(halved.data(), halved.size());
        }
        ++replayed;
    }
    std::printf("replayed %d inputs\n", replayed);
    return replayed > 0 ? 0 : 1;
}
