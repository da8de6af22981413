// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// Streaming SHA-256 through OpenSSL's EVP digest (Qt 6.4's QCryptographicHash is ~10x slower).
//
//     Sha256 hash;
//     hash.addData(chunk); ...;  QByteArray digest = hash.result();   // 32 bytes
//     std::optional<QByteArray> fileDigest = Sha256::hashFile(path, &error);

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <optional>

typedef struct evp_md_ctx_st EVP_MD_CTX;
class QIODevice;

namespace TrainGuard::Crypto {

class Sha256
{
public:
    static constexpr int DigestSize = 32;

    Sha256();
    ~Sha256();
    Sha256(const Sha256 &) = delete;
    Sha256 &operator=(const Sha256 &) = delete;

    void addData(QByteArrayView data);
    // The digest of everything added since construction or reset(); then resets.
    QByteArray result();
    void reset();

    static QByteArray hash(QByteArrayView data);
    // Reads the device to its end in 1 MiB chunks; nullopt (and *error) on a read error.
    static std::optional<QByteArray> hashDevice(QIODevice &device, QString *error = nullptr);
    static std::optional<QByteArray> hashFile(const QString &path, QString *error = nullptr);

private:
    EVP_MD_CTX *m_context = nullptr;
};

} // namespace TrainGuard::Crypto
