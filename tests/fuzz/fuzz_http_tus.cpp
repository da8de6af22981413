// SPDX-License-Identifier: GPL-3.0-or-later
// libFuzzer target for the receiver's HTTP layer: raw request bytes (as they come out of TLS)
// go through HttpRequestStream (Boost.Beast's parser, limits, body streaming) into TusService
// and a real UploadStore in a scratch directory; no sockets. Byte 0 picks the slice size the
// bytes arrive in; the rest is the byte stream of one connection. "@ID@" in it becomes the id
// of an upload (64 bytes long) created before each input, so PATCH, HEAD, GET and DELETE reach
// a real upload; the bearer token is "fuzz-token". Seeds: tests/fuzz/corpus/http_tus.
#include "FuzzSupport.h"

#include "core/transfer/HttpRequestStream.h"
#include "core/transfer/TusService.h"
#include "core/transfer/UploadStore.h"

#include <QDir>

#include <cstddef>
#include <cstdint>
#include <cstdlib>

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv);
extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size);

namespace {

using namespace TrainGuard::Transfer;

class MemoryTransport : public HttpRequestStream::Transport
{
public:
    void write(const QByteArray &bytes) override
    {
        // Everything we send is a status line first (a response or 100 Continue).
        if (!bytes.startsWith("HTTP/1.1 "))
            std::abort();
        ++writes;
    }
    void close() override { closed = true; }
    void armTimer(int) override { }
    qint64 unsentBytes() const override { return 0; } // the peer takes everything at once
    void logRequest(const HttpLogEntry &entry) override
    {
        if (entry.status < 100 || entry.status > 599)
            std::abort();
    }

    int writes = 0;
    bool closed = false;
};

} // namespace

extern "C" int LLVMFuzzerInitialize(int *, char ***)
{
    TrainGuard::Fuzz::ensureApplication();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 1)
        return 0;
    const QString storeDir = TrainGuard::Fuzz::scratchDir() + QStringLiteral("/store");
    QDir(storeDir).removeRecursively();
    UploadStoreConfig config;
    config.storeDir = storeDir;
    config.maxUploadBytes = 1 << 20;
    UploadStore store(config);
    QString error;
    if (!store.open(&error))
        std::abort(); // the scratch directory must work, or nothing is tested
    UploadRecord draft;
    draft.length = 64;
    draft.filename = QStringLiteral("seed.bin");
    draft.destination = QStringLiteral("fuzz/seed.bin");
    const UploadRecord *upload = store.create(draft, &error);
    if (!upload)
        std::abort();
    TusService service(&store, "fuzz-token");

    QByteArray input(reinterpret_cast<const char *>(data + 1), qsizetype(size - 1));
    input.replace("@ID@", upload->id.toLatin1());
    // Small limits so that the size checks are reachable with small inputs.
    HttpLimits limits;
    limits.maxHeaderBytes = 2048;
    limits.readChunkBytes = 4096;
    MemoryTransport transport;
    {
        HttpRequestStream stream(
            limits, [&service](const HttpRequestHead &head) { return service.route(head); }, "fuzz", &transport);
        const qsizetype slice = 1 + data[0] % 64 * 67;
        for (qsizetype offset = 0; offset < input.size() && stream.phase() != HttpRequestStream::Phase::Closing;) {
            const qsizetype take = qMin<qsizetype>(qMin<qsizetype>(slice, stream.room()), input.size() - offset);
            if (take <= 0)
                std::abort(); // a stream that takes nothing more would stall the connection
            stream.receive(QByteArrayView(input).sliced(offset, take));
            offset += take;
        }
        // The connection then falls silent: the phase's timeout ends it.
        stream.timedOut();
    }
    QCoreApplication::processEvents(); // results of finished uploads
    return 0;
}
