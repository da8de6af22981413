// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the STE1 reader: header parsing, key check and segment decryption.
// Input: byte 0 picks how the rest is read (whole device, chunks of 1..86 bytes, or resume at
// segment 1 after the header); bytes 1.. are the file. The key is the master key of the
// docs/FORMAT.md vectors (seeds: tests/data/crypto/*.ste with a selector byte in front), whatever
// the header's KDF salt and iterations, so mutated files get past the key check and into the
// segments instead of stopping at "wrong passphrase"; no PBKDF2 runs per input.
#include "FuzzSupport.h"

#include "core/crypto/MasterKey.h"
#include "core/crypto/Ste1Decryptor.h"

#include <QBuffer>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

using namespace TrainGuard::Crypto;

std::optional<MasterKey> vectorKey(const QByteArray &kdfSalt, quint32 iterations)
{
    // docs/FORMAT.md: "three segments" uses KDF salt f0e0…00, the others 0001…0f.
    static const QByteArray threeSegmentsSalt = QByteArray::fromHex("f0e0d0c0b0a090807060504030201000");
    const QByteArray key = QByteArray::fromHex(
        kdfSalt == threeSegmentsSalt ? "c3b21f3d8d210ce1f9c9c9425124e042fb9c19d85a348c63b687841792e786e9"
                                     : "49d49c25f597846209f0d92e7770ab64e1c75e94b4ce6c509265ee67175d2a1e");
    return MasterKey::fromBytes(key, kdfSalt, iterations);
}

// What a reader may rely on, whatever the input: success only with a complete stream, and
// never more plaintext than the ciphertext could hold.
void checkInvariants(const Ste1Decryptor &decryptor, const Ste1Status &status, qint64 plaintext, std::size_t inputSize)
{
    if (status.ok() && !decryptor.isFinished())
        std::abort();
    if (plaintext != decryptor.plaintextBytes() || plaintext > qint64(inputSize))
        std::abort();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::uint8_t mode = data[0];
    const QByteArray file(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    qint64 plaintext = 0;
    quint64 expectedIndex = 0;
    bool inOrder = true;
    const auto sink = [&](quint64 index, QByteArrayView bytes) {
        inOrder = inOrder && index == expectedIndex;
        ++expectedIndex;
        plaintext += bytes.size();
        return true;
    };
    Ste1Decryptor decryptor(&vectorKey, sink);
    Ste1Status status;
    switch (mode % 3) {
    case 0: { // a blocking device, as the CLI and the receiver's verifier read
        QBuffer device;
        device.setData(file);
        device.open(QIODevice::ReadOnly);
        status = decryptor.decryptDevice(device);
        break;
    }
    case 1: { // chunks as they arrive from a socket
        const qsizetype chunk = 1 + mode / 3;
        for (qsizetype offset = 0; offset < file.size() && status.ok(); offset += chunk)
            status = decryptor.feed(QByteArrayView(file).sliced(offset, qMin(chunk, file.size() - offset)));
        if (status.ok())
            status = decryptor.finish();
        break;
    }
    case 2: { // a resumed upload: header, then the ciphertext from segment 1 on
        expectedIndex = 1;
        status = decryptor.resumeAt(QByteArrayView(file).first(qMin<qsizetype>(file.size(), 69)), 1);
        if (status.ok())
            status = decryptor.feed(QByteArrayView(file).sliced(qMin<qsizetype>(file.size(), 69)));
        if (status.ok())
            status = decryptor.finish();
        break;
    }
    }
    if (!inOrder)
        std::abort();
    checkInvariants(decryptor, status, plaintext, size);
    return 0;
}
