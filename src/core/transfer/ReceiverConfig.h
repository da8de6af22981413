// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"
#include "core/transfer/HttpLimits.h"
#include "core/transfer/TlsPolicy.h"

#include <QByteArray>
#include <QDateTime>
#include <QHostAddress>
#include <QMetaType>
#include <QString>

namespace TrainGuard::Transfer {

struct ReceiverConfig {
    QHostAddress address = QHostAddress::LocalHost;
    quint16 port = 0; // 0 picks a free port
    QString certificateFile;
    QString keyFile;
    QString caFile; // for client certificates
    ClientCertificates clientCertificates = ClientCertificates::NotRequested;
    QString storeDir;
    QByteArray token; // secret
    // serve --certs DIR: the /pair/ routes and paired device certificates
    // (clientCertificates Requested, caFile DIR/ca.pem). Empty: neither.
    QString pairingDirectory;
    Crypto::SharedSecret passphrase; // none or empty: store ciphertext only
    HttpLimits http;
    // Enough for dozens of senders (each may hold two connections) plus
    // hundreds of idle or slow ones: an idle connection costs a socket and a
    // TLS session, its 256 KiB body buffer only once a body arrives. At the
    // limit, the connection that has waited longest without completing a
    // request is dropped for a newcomer; as many TLS handshakes again may be
    // in progress.
    int maxConnections = 1024;
    int handshakeTimeout_ms = 10'000;
    qint64 maxUploadBytes = qint64(64) << 30; // Tus-Max-Size
    int partialExpiry_s = 24 * 3600;
    // STE1 headers (and kdfIterations hints) asking more PBKDF2 iterations are
    // refused before any derivation (serve --max-kdf-iterations).
    quint32 maxKdfIterations = 2'000'000;
    // Training runs (docs/TRAINING.md; serve --profiles, --runs-dir, --run-dir): the profiles
    // directory (empty: no profiles), run records and logs (empty: <store>/.trainguard-runs), the
    // RAM-backed parent of memory-mode directories (empty: $RUNTIME_DIRECTORY or /dev/shm/…).
    QString profilesDir;
    QString runsDir;
    QString runMemoryDir;
};

enum class ReceiverEventKind { Request, Stored, Rejected, Info };

struct ReceiverEvent {
    QDateTime time;
    ReceiverEventKind kind = ReceiverEventKind::Info;
    QString text; // one log line, never a secret
};

} // namespace TrainGuard::Transfer

Q_DECLARE_METATYPE(TrainGuard::Transfer::ReceiverEvent)
