// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/crypto/SecretBytes.h"
#include "core/pairing/HostProfile.h"
#include "core/pairing/HostRegistry.h"
#include "core/pairing/JoinCode.h"
#include "core/pairing/PairingError.h"

#include <QObject>
#include <QPointer>

#include <memory>

class QJsonObject;
class QNetworkAccessManager;
class QNetworkReply;
class QSslConfiguration;

namespace TrainGuard::Pairing {

// The workstation side of pairing (docs/PAIRING.md). Asynchronous: every
// step is a QNetworkReply on the caller's event loop; key generation (EC
// P-256) takes well under a millisecond. Usable from the GUI thread.
//
// pair():
//  1. GET /pair/ca with certificate verification off, for that one request only;
//  2. refuses unless SHA-256(SPKI of the CA) equals the code's pin (PinMismatch);
//  3. from then on verifies the server against that CA, host name included;
//  4. makes a fresh EC P-256 key pair (the private key never leaves the workstation);
//  5. POST /pair/enroll {id, label, csr, mac = HMAC-SHA256(secret, CSR DER || id)};
//  6. with SharePassphrase::Yes, POST /pair/passphrase over mutual TLS;
//  7. stores the profile with HostRegistry::add() and emits paired().
// Nothing is stored when any step fails. One operation at a time.
class PairingClient : public QObject
{
    Q_OBJECT

public:
    explicit PairingClient(HostRegistry registry = HostRegistry(), QObject *parent = nullptr);
    ~PairingClient() override;

    // `label` names this device on the host (default: this machine's host name).
    // `passphrase` is only sent with SharePassphrase::Yes.
    void pair(const JoinCode &code, const QString &name, SharePassphrase share,
              const Crypto::SharedSecret &passphrase = {}, const QString &label = {});
    // New key and certificate for a paired host (POST /pair/renew with the
    // current certificate); emits renewed() or failed().
    void renew(const HostProfile &profile);
    // Stops the operation in progress; emits failed(Cancelled). Nothing stored.
    void cancel();
    bool isBusy() const;

    int timeout_ms() const { return m_timeout_ms; }
    void setTimeout_ms(int timeout_ms) { m_timeout_ms = timeout_ms; }

    // Renew when fewer days than this are left.
    static constexpr int renewBefore_days = 30;

signals:
    // Step 2 passed: the CA matches the pin. `hostNames` are the DNS/IP names of
    // the server certificate (known after step 3, emitted then).
    void pinVerified(const QString &pinText, const QStringList &hostNames);
    void paired(const TrainGuard::Pairing::HostProfile &profile);
    void renewed(const TrainGuard::Pairing::HostProfile &profile);
    void failed(TrainGuard::Pairing::PairingError error, const QString &message);

private:
    struct Operation;
    void fetchCa();
    void enroll();
    void sharePassphrase();
    void store();
    void sendRenewal();
    // False after fail(): transport, TLS or HTTP error mapped to a PairingError.
    bool checkReply(QNetworkReply *reply, QJsonObject *answer);
    void fail(PairingError error, const QString &message);
    bool refuseWhileBusy(); // true: an operation runs, failed() follows
    // To the pairing host, verified against m_op->ca (with the device certificate once issued).
    QNetworkReply *post(const QString &path, const QByteArray &json);
    QNetworkReply *post(const QUrl &url, const QSslConfiguration &tls, const QByteArray &json);
    QNetworkAccessManager *freshNetwork();
    void dropNetwork();

    HostRegistry m_registry;
    QPointer<QNetworkAccessManager> m_network; // the current step's, see freshNetwork()
    std::unique_ptr<Operation> m_op;
    QPointer<QNetworkReply> m_reply;
    int m_timeout_ms = 15'000;
};

} // namespace TrainGuard::Pairing
