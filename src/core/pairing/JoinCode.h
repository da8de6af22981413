// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>
#include <QUrl>

#include <optional>

namespace TrainGuard::Pairing {

enum class JoinCodeError {
    None,
    Empty,
    WrongScheme, // not "tg1://"
    BadHost, // missing host, or not a host name / address
    BadPort, // missing or not 1..65535
    BadToken, // path is not "/<id>.<secret>" with id 16 and secret 32 lowercase hex digits
    BadPin, // fragment is not "sha256:" + 64 hex digits
};

// One line per error, for the GUI and the CLI.
QString joinCodeErrorText(JoinCodeError error);

// A join code printed by `trainguard-cli pairing code`:
//   tg1://HOST:PORT/<id>.<secret>#sha256:<hex>
// HOST may be a DNS name, IPv4 or a bracketed IPv6 address. <id> names the code
// on the host; <secret> (128 bits) keys the HMAC over the enrolment request;
// <hex> is the SHA-256 of the host CA's SubjectPublicKeyInfo (RFC 7469 pin).
// Parsing is strict (no whitespace inside, lowercase hex): a code is pasted, not typed.
class JoinCode
{
public:
    static constexpr int idHexDigits = 16;
    static constexpr int secretHexDigits = 32;

    // Surrounding whitespace is ignored. On failure returns nullopt and sets *error.
    static std::optional<JoinCode> parse(const QString &text, JoinCodeError *error);

    // A fresh code with a random id and secret for `url` (https://HOST:PORT) and `pin`.
    static JoinCode generate(const QUrl &url, const QByteArray &pinSha256);

    QString format() const; // the one-line form above
    QUrl receiverUrl() const; // https://HOST:PORT
    QString host() const { return m_host; }
    quint16 port() const { return m_port; }
    QString id() const { return m_id; } // lowercase hex
    QByteArray secret() const { return m_secret; } // the raw bytes (16); never log
    QByteArray pinSha256() const { return m_pin; } // raw 32 bytes
    QString pinText() const; // "sha256:<hex>"

private:
    QString m_host;
    quint16 m_port = 0;
    QString m_id;
    QByteArray m_secret;
    QByteArray m_pin;
};

} // namespace TrainGuard::Pairing
