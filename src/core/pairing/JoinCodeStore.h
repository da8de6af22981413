// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/pairing/JoinCode.h"

#include <QByteArray>
#include <QString>
#include <QUrl>

namespace TrainGuard::Pairing {

enum class CodeCheck { Accepted, Unknown, Expired, Used, WrongSecret, Locked, Failed };

// The host's outstanding join codes: <certs>/pairing/<id>.json (0600) holds
// the label, the expiry, failed attempts and K = SHA-256("trainguard-pair-v1" ||
// secret), the MAC key; the printed secret itself is never stored. Files are
// read at request time, so a running `serve` honours codes made after it started.
// A redeemed code is renamed to <id>.used (rename is atomic: one redemption wins).
class JoinCodeStore
{
public:
    explicit JoinCodeStore(QString certsDirectory);

    QString directory() const; // <certs>/pairing

    // The URL `serve` advertises (--advertise), kept in <pairing>/url for `pairing code`.
    bool storeAdvertisedUrl(const QUrl &url, QString *error);
    QUrl advertisedUrl() const;

    bool create(const QUrl &receiverUrl, const QByteArray &pinSha256, int ttl_minutes, const QString &label,
                JoinCode *out, QString *error);

    // Checks `mac` over `csrDer || id` with the code's key in constant time and,
    // when it matches, consumes the code. *label gets the code's label.
    CodeCheck redeem(const QString &id, const QByteArray &csrDer, const QByteArray &mac, QString *label);

    // The MAC both sides compute: HMAC-SHA256(K, csrDer || id), K as above.
    static QByteArray macKey(QByteArrayView secret);
    static QByteArray mac(QByteArrayView secret, const QByteArray &csrDer, const QString &id);

    static constexpr int defaultTtl_minutes = 15;
    static constexpr int maxTtl_minutes = 24 * 60;
    static constexpr int maxFailedAttempts = 5;

private:
    QString m_certsDirectory;
};

} // namespace TrainGuard::Pairing
