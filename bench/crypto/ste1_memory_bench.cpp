// SPDX-License-Identifier: GPL-3.0-or-later
// In-memory STE1 throughput: the engine's own cost per byte, without file I/O or the KDF.
// Built and run by bench/crypto/run.sh against build/release's libtrainguard_core.a.
#include "core/crypto/MasterKey.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/crypto/Ste1Encryptor.h"

#include <QByteArray>
#include <QElapsedTimer>

#include <cstdio>
#include <cstdlib>

using namespace TrainGuard::Crypto;

int main(int argc, char **argv)
{
    const qint64 total_MiB = argc > 1 ? std::atoll(argv[1]) : 1024;
    const quint32 segmentSize = Ste1Header::DefaultSegmentSize;
    const MasterKey key = MasterKey::fromBytes(QByteArray(32, 'k'), QByteArray(16, 's'), MasterKey::MinIterations);
    Ste1Encryptor encryptor(key, segmentSize);
    QByteArray plain(segmentSize, 'p');
    QByteArray cipher(segmentSize + Ste1Header::TagSize, Qt::Uninitialized);
    const qint64 segments = total_MiB * 1024 * 1024 / segmentSize;

    QElapsedTimer timer;
    timer.start();
    for (qint64 i = 0; i < segments; ++i)
        encryptor.encryptSegment(quint64(i), plain, i + 1 == segments ? SegmentPosition::Last : SegmentPosition::Middle,
                                 cipher.data());
    const double encrypt_s = timer.nsecsElapsed() / 1e9;

    // A 16-segment envelope in memory, decrypted (tags verified) by a fresh incremental
    // decryptor per round.
    constexpr int RoundSegments = 16;
    QByteArray envelope = encryptor.headerBytes();
    for (int i = 0; i < RoundSegments; ++i)
        envelope += encryptor.encryptSegment(quint64(i), plain,
                                             i + 1 == RoundSegments ? SegmentPosition::Last : SegmentPosition::Middle);
    timer.restart();
    qint64 fed = 0;
    for (; fed < segments; fed += RoundSegments) {
        Ste1Decryptor decryptor(key, [](quint64, QByteArrayView) { return true; });
        if (!decryptor.feed(envelope).ok() || !decryptor.finish().ok()) {
            std::fprintf(stderr, "decrypt failed\n");
            return 1;
        }
    }
    const double decrypt_s = timer.nsecsElapsed() / 1e9;
    std::printf("%.1f %.1f\n", double(segments) / encrypt_s, double(fed) / decrypt_s); // MiB/s (1 MiB segments)
    return 0;
}
