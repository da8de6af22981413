// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/HostProfile.h"

#include "core/pairing/CertificatePin.h"
#include "core/transfer/SenderConfig.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace TrainGuard::Pairing {

QString HostProfile::pinText() const
{
    return CertificatePin::text(pinSha256);
}

int HostProfile::clientCertificateDaysLeft(const QDateTime &now) const
{
    if (!clientCertificateExpiry.isValid())
        return -1;
    const qint64 seconds = now.secsTo(clientCertificateExpiry);
    return static_cast<int>(seconds >= 0 ? seconds / 86400 : -((-seconds + 86399) / 86400));
}

void HostProfile::applyTo(Transfer::SenderConfig *config) const
{
    config->receiver = url;
    config->caFile = caFile();
    config->clientCertificateFile = clientCertificateFile();
    config->clientKeyFile = clientKeyFile();
    config->token.clear();
}

QByteArray HostProfile::toJson() const
{
    QJsonObject object{
        {QStringLiteral("version"), 1},
        {QStringLiteral("name"), name},
        {QStringLiteral("url"), url.toString()},
        {QStringLiteral("pin"), pinText()},
        {QStringLiteral("deviceId"), deviceId},
        {QStringLiteral("label"), label},
        {QStringLiteral("hostNames"), QJsonArray::fromStringList(hostNames)},
        {QStringLiteral("pairedAt"), pairedAt.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("clientCertificateExpiry"), clientCertificateExpiry.toUTC().toString(Qt::ISODate)},
        {QStringLiteral("passphraseShared"), passphraseShared == SharePassphrase::Yes},
    };
    return QJsonDocument(object).toJson(QJsonDocument::Indented);
}

bool HostProfile::fromJson(const QByteArray &json, HostProfile *out, QString *error)
{
    QJsonParseError parseError{};
    const QJsonDocument document = QJsonDocument::fromJson(json, &parseError);
    if (!document.isObject()) {
        *error = QStringLiteral("host.json is not a JSON object: %1").arg(parseError.errorString());
        return false;
    }
    const QJsonObject object = document.object();
    HostProfile profile;
    profile.name = object.value(QStringLiteral("name")).toString();
    profile.url = QUrl(object.value(QStringLiteral("url")).toString(), QUrl::StrictMode);
    const QString pin = object.value(QStringLiteral("pin")).toString();
    profile.pinSha256
        = pin.startsWith(QLatin1String("sha256:")) ? QByteArray::fromHex(pin.mid(7).toLatin1()) : QByteArray();
    profile.deviceId = object.value(QStringLiteral("deviceId")).toString();
    profile.label = object.value(QStringLiteral("label")).toString();
    const QJsonArray names = object.value(QStringLiteral("hostNames")).toArray();
    for (const QJsonValue &value : names)
        profile.hostNames.append(value.toString());
    profile.pairedAt = QDateTime::fromString(object.value(QStringLiteral("pairedAt")).toString(), Qt::ISODate);
    profile.clientCertificateExpiry
        = QDateTime::fromString(object.value(QStringLiteral("clientCertificateExpiry")).toString(), Qt::ISODate);
    profile.passphraseShared
        = object.value(QStringLiteral("passphraseShared")).toBool() ? SharePassphrase::Yes : SharePassphrase::No;
    if (profile.name.isEmpty() || !profile.url.isValid() || profile.url.scheme() != u"https"
        || profile.pinSha256.size() != 32 || profile.deviceId.isEmpty()) {
        *error = QStringLiteral("host.json lacks name, https url, pin or device id");
        return false;
    }
    *out = profile;
    return true;
}

} // namespace TrainGuard::Pairing
