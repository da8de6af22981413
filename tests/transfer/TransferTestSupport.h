// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// Shared fixtures of the transfer tests: a fresh PKI and token per run, a raw
// TLS client that writes exact bytes, and small tus helpers.

#include "core/transfer/BearerToken.h"
#include "core/transfer/LocalPki.h"
#include "core/transfer/Receiver.h"
#include "core/transfer/Sender.h"
#include "core/transfer/TlsPolicy.h"
#include "support/RandomBytes.h"

#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSslSocket>
#include <QTemporaryDir>
#include <QTest>

#include <functional>

namespace TransferTest {

using TrainGuard::TestSupport::randomBytes;

// The whole file; "<missing>" when it cannot be read, so that a comparison with content fails.
inline QByteArray readFile(const QString &path)
{
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray("<missing>");
}

// Every file under a receiver's store, relative and sorted, except its own spool directory.
inline QStringList storeFiles(const QString &storeDir)
{
    QStringList files;
    QDirIterator it(storeDir, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (!path.contains(QStringLiteral("/.trainguard-spool/")))
            files.append(QDir(storeDir).relativeFilePath(path));
    }
    files.sort();
    return files;
}

// Writes `data` to `path`, creating its directory.
inline bool writeFile(const QString &path, const QByteArray &data)
{
    QDir().mkpath(QFileInfo(path).absolutePath());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(data) == data.size();
}

using namespace TrainGuard::Transfer;

struct RawResponse {
    int status = 0;
    QMap<QByteArray, QByteArray> headers; // lower-case names
    QByteArray body;
    bool complete = false;
    QByteArray header(const QByteArray &name) const { return headers.value(name.toLower()); }
};

// A TLS client speaking HTTP by hand, so tests control every byte.
class RawClient
{
public:
    explicit RawClient(const QString &caFile)
    {
        QString error;
        QSslConfiguration config;
        if (TlsPolicy::clientConfiguration(caFile, {}, {}, &config, &error))
            socket.setSslConfiguration(config);
    }

    bool connectTo(quint16 port)
    {
        socket.connectToHostEncrypted(QStringLiteral("localhost"), port);
        return socket.waitForEncrypted(10000);
    }

    void send(const QByteArray &bytes)
    {
        socket.write(bytes);
        while (socket.bytesToWrite() > 0 && socket.waitForBytesWritten(10000)) { }
    }

    // Reads one response (head + Content-Length body).
    RawResponse read(int timeout_ms = 10000)
    {
        RawResponse response;
        QElapsedTimer clock;
        clock.start();
        for (;;) {
            const qsizetype end = buffer.indexOf("\r\n\r\n");
            if (end >= 0) {
                const QList<QByteArray> lines = buffer.left(end).split('\n');
                response.status = lines.first().split(' ').value(1).toInt();
                for (qsizetype i = 1; i < lines.size(); ++i) {
                    const qsizetype colon = lines.at(i).indexOf(':');
                    if (colon > 0)
                        response.headers.insert(lines.at(i).left(colon).trimmed().toLower(),
                                                lines.at(i).mid(colon + 1).trimmed());
                }
                const qsizetype length = response.headers.value("content-length").toLongLong();
                if (buffer.size() >= end + 4 + length) {
                    response.body = buffer.mid(end + 4, length);
                    buffer.remove(0, end + 4 + length);
                    response.complete = true;
                    return response;
                }
            }
            if (clock.elapsed() > timeout_ms)
                return response;
            if (!socket.waitForReadyRead(200) && socket.state() != QAbstractSocket::ConnectedState
                && socket.bytesAvailable() == 0)
                return response;
            buffer += socket.readAll();
        }
    }

    RawResponse request(const QByteArray &head, const QByteArray &body = {})
    {
        send(head + body);
        return read();
    }

    QSslSocket socket;
    QByteArray buffer;
};

inline QByteArray metadataValue(const QString &value)
{
    return value.toUtf8().toBase64();
}

struct Fixture {
    QTemporaryDir dir;
    QString certs;
    QString caFile;
    QByteArray token;
    QString tokenFile;

    bool setUp()
    {
        if (!dir.isValid())
            return false;
        certs = dir.filePath(QStringLiteral("certs"));
        LocalPki pki(certs);
        QString error;
        if (!pki.initialize({}, LocalPki::CaPolicy::Replace, &error)) {
            qWarning() << error;
            return false;
        }
        caFile = pki.caCertificatePath();
        tokenFile = dir.filePath(QStringLiteral("token"));
        token = BearerToken::loadOrCreate(tokenFile, &error);
        return !token.isEmpty();
    }

    ReceiverConfig receiverConfig(const QString &store = {}) const
    {
        LocalPki pki(certs);
        ReceiverConfig config;
        config.certificateFile = pki.serverCertificatePath();
        config.keyFile = pki.serverKeyPath();
        config.caFile = pki.caCertificatePath();
        config.storeDir = store.isEmpty() ? dir.filePath(QStringLiteral("store")) : store;
        config.token = token;
        return config;
    }

    QByteArray auth() const { return "Authorization: Bearer " + token + "\r\n"; }
};

// Polls an upload's status (GET on its tus URL) until the receiver has stored or rejected it,
// at most 100 times 50 ms apart; returns the last status document.
inline QJsonObject waitForFinalState(RawClient &client, const Fixture &fixture, const QByteArray &location)
{
    QJsonObject status;
    for (int i = 0; i < 100; ++i) {
        const RawResponse response = client.request("GET " + location + " HTTP/1.1\r\nHost: localhost\r\n"
                                                    + fixture.auth() + "Tus-Resumable: 1.0.0\r\n\r\n");
        status = QJsonDocument::fromJson(response.body).object();
        const QString state = status.value(u"state").toString();
        if (state == u"stored" || state == u"rejected")
            break;
        QTest::qWait(50);
    }
    return status;
}

// The full-disk rows shared by the in-process and the CLI tests, for a store on a 1 MiB
// SmallDisk ("1m"): an upload that does not fit in the spool (HTTP 507), and one that fits in
// the spool but not again as the stored file.
inline void addFullDiskRows()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<QString>("expected");
    QTest::newRow("spool fills up") << 3 * 1024 * 1024 << QStringLiteral("507");
    QTest::newRow("store fills up") << 700 * 1024 << QStringLiteral("disk full");
}

// Runs one send on its own Sender and waits for its result; `onProgress` (optional) sees every
// progress report and may act on the sender (cancel it) or on the receiver.
inline SendResult sendAndWait(const SenderConfig &config, int timeout_ms,
                              const std::function<void(Sender &, const SendProgress &)> &onProgress = {})
{
    Sender sender;
    SendResult outcome;
    bool done = false;
    QObject::connect(&sender, &Sender::finished, &sender, [&](const SendResult &result) {
        outcome = result;
        done = true;
    });
    if (onProgress)
        QObject::connect(&sender, &Sender::progress, &sender, [&](const SendProgress &p) { onProgress(sender, p); });
    sender.start(config);
    QElapsedTimer clock;
    clock.start();
    while (!done && clock.elapsed() < timeout_ms)
        QTest::qWait(20);
    if (!done)
        outcome.message = QStringLiteral("timed out");
    return outcome;
}

} // namespace TransferTest
