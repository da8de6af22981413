// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/pairing/JoinCode.h"

#include <QHostAddress>
#include <QRandomGenerator>
#include <QRegularExpression>

namespace TrainGuard::Pairing {

namespace {

bool isLowerHex(QStringView text, qsizetype length)
{
    if (text.size() != length)
        return false;
    for (QChar c : text) {
        if (!((c >= u'0' && c <= u'9') || (c >= u'a' && c <= u'f')))
            return false;
    }
    return true;
}

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    // QRandomGenerator::system() reads the OS CSPRNG (getrandom).
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), count / 4);
    return bytes;
}

} // namespace

QString joinCodeErrorText(JoinCodeError error)
{
    switch (error) {
    case JoinCodeError::None:
        return {};
    case JoinCodeError::Empty:
        return QStringLiteral("the join code is empty");
    case JoinCodeError::WrongScheme:
        return QStringLiteral("not a join code: it must start with tg1://");
    case JoinCodeError::BadHost:
        return QStringLiteral("the join code has no valid host");
    case JoinCodeError::BadPort:
        return QStringLiteral("the join code has no valid port");
    case JoinCodeError::BadToken:
        return QStringLiteral("the join code's <id>.<secret> part is damaged (copy the whole line)");
    case JoinCodeError::BadPin:
        return QStringLiteral("the join code's #sha256: pin is missing or damaged (copy the whole line)");
    }
    return {};
}

std::optional<JoinCode> JoinCode::parse(const QString &text, JoinCodeError *error)
{
    const auto fail = [error](JoinCodeError e) -> std::optional<JoinCode> {
        *error = e;
        return std::nullopt;
    };
    *error = JoinCodeError::None;
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return fail(JoinCodeError::Empty);
    if (!trimmed.startsWith(QLatin1String("tg1://")))
        return fail(JoinCodeError::WrongScheme);
    for (QChar c : trimmed) {
        if (c.isSpace() || c.unicode() > 0x7e)
            return fail(JoinCodeError::BadToken);
    }
    const QUrl url(trimmed, QUrl::StrictMode);
    if (!url.isValid() || !url.userInfo().isEmpty() || url.hasQuery())
        return fail(JoinCodeError::BadHost);
    const QString host = url.host(QUrl::FullyDecoded);
    if (host.isEmpty())
        return fail(JoinCodeError::BadHost);
    static const QRegularExpression dnsName(
        QStringLiteral("^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$"));
    if (QHostAddress(host).isNull() && !dnsName.match(host).hasMatch())
        return fail(JoinCodeError::BadHost);
    const int port = url.port(-1);
    if (port < 1 || port > 65535)
        return fail(JoinCodeError::BadPort);

    const QString path = url.path(QUrl::FullyEncoded);
    const qsizetype dot = path.indexOf(u'.');
    if (!path.startsWith(u'/') || dot < 0)
        return fail(JoinCodeError::BadToken);
    const QStringView id = QStringView(path).mid(1, dot - 1);
    const QStringView secret = QStringView(path).mid(dot + 1);
    if (!isLowerHex(id, idHexDigits) || !isLowerHex(secret, secretHexDigits))
        return fail(JoinCodeError::BadToken);

    const QString fragment = url.fragment(QUrl::FullyEncoded);
    if (!url.hasFragment() || !fragment.startsWith(QLatin1String("sha256:"))
        || !isLowerHex(QStringView(fragment).mid(7), 64))
        return fail(JoinCodeError::BadPin);

    JoinCode code;
    code.m_host = host;
    code.m_port = static_cast<quint16>(port);
    code.m_id = id.toString();
    code.m_secret = QByteArray::fromHex(secret.toLatin1());
    code.m_pin = QByteArray::fromHex(QStringView(fragment).mid(7).toLatin1());
    return code;
}

JoinCode JoinCode::generate(const QUrl &url, const QByteArray &pinSha256)
{
    JoinCode code;
    code.m_host = url.host(QUrl::FullyDecoded);
    code.m_port = static_cast<quint16>(url.port(443));
    code.m_id = QString::fromLatin1(randomBytes(idHexDigits / 2).toHex());
    code.m_secret = randomBytes(secretHexDigits / 2);
    code.m_pin = pinSha256;
    return code;
}

QUrl JoinCode::receiverUrl() const
{
    QUrl url;
    url.setScheme(QStringLiteral("https"));
    url.setHost(m_host);
    url.setPort(m_port);
    return url;
}

QString JoinCode::pinText() const
{
    return QStringLiteral("sha256:") + QString::fromLatin1(m_pin.toHex());
}

QString JoinCode::format() const
{
    const QString host = m_host.contains(u':') ? u'[' + m_host + u']' : m_host;
    return QStringLiteral("tg1://%1:%2/%3.%4#%5")
        .arg(host)
        .arg(m_port)
        .arg(m_id, QString::fromLatin1(m_secret.toHex()), pinText());
}

} // namespace TrainGuard::Pairing
