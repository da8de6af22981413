// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <QByteArray>
#include <QString>

namespace TrainGuard::Pairing {

// A workstation's fresh EC P-256 key and its certificate signing request
// (OpenSSL X509_REQ). The key PEM is a secret: it goes to a 0600 file only.
class DeviceKey
{
public:
    static bool generate(const QString &label, DeviceKey *out, QString *error);
    // PEM -> DER of a CSR; empty if it does not parse.
    static QByteArray csrDer(const QByteArray &csrPem);

    QByteArray keyPem;
    QByteArray csrPem;
};

} // namespace TrainGuard::Pairing
