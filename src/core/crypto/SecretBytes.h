// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// A secret (a passphrase) in memory that is never implicitly shared, is wiped when dropped and is
// left out of core dumps.
//
// Why not QByteArray: it is implicitly shared, so OPENSSL_cleanse(bytes.data()) on a copy detaches
// and wipes a fresh copy while the original lives on. SecretBytes can only be moved; where several
// owners need the same secret (a config copied to a worker thread), they share one buffer through
// SharedSecret, and the last owner wipes it.
//
// The bytes live in pages of their own, marked MADV_DONTDUMP (left out of core dumps) and
// MADV_DONTFORK, locked out of swap where RLIMIT_MEMLOCK allows, and wiped before they are unmapped.
//
//     SharedSecret passphrase = SecretBytes::share(SecretBytes::takeFrom(std::move(typedUtf8)));
//     MasterKey key = MasterKey::derive(passphrase->view(), salt, iterations);
//
// Thread safety: a const SecretBytes may be read from any thread; moving or dropping it is the
// owner's business.

#include <QByteArray>
#include <QByteArrayView>

#include <cstddef>
#include <memory>

namespace TrainGuard::Crypto {

class SecretBytes
{
public:
    SecretBytes() = default;
    // Copies bytes into a new secret buffer (the caller wipes its own copy).
    explicit SecretBytes(QByteArrayView bytes);
    SecretBytes(const SecretBytes &) = delete;
    SecretBytes &operator=(const SecretBytes &) = delete;
    SecretBytes(SecretBytes &&other) noexcept;
    SecretBytes &operator=(SecretBytes &&other) noexcept;
    ~SecretBytes();

    // Copies bytes into a secret buffer, then wipes and clears the source. The source must not be
    // shared with another QByteArray (a fresh read or toUtf8() result), or the other copy survives:
    // a shared source is refused with an empty result, so that the mistake shows in tests.
    static SecretBytes takeFrom(QByteArray &&bytes);

    static std::shared_ptr<const SecretBytes> share(SecretBytes &&secret);

    // Wipes and clears a QByteArray that held a secret on its way in (a file's bytes). A shared
    // array is only cleared: its bytes belong to the other owner as well.
    static void wipe(QByteArray &bytes);

    bool isEmpty() const { return m_size == 0; }
    qsizetype size() const { return static_cast<qsizetype>(m_size); }
    const char *data() const { return m_data; }
    QByteArrayView view() const { return QByteArrayView(m_data, static_cast<qsizetype>(m_size)); }
    // A QByteArray over the same bytes, without a copy, for APIs that take one (QPasswordDigestor).
    // Valid while this object lives; never modify it (that would detach into ordinary memory).
    QByteArray rawByteArray() const { return QByteArray::fromRawData(m_data, static_cast<qsizetype>(m_size)); }
    // An explicit copy into a new secret buffer.
    SecretBytes clone() const { return SecretBytes(view()); }
    // Whether the pages are locked in RAM (false when empty, or beyond RLIMIT_MEMLOCK).
    bool isLocked() const { return m_locked; }

    // Wipes and frees now.
    void clear();

private:
    char *m_data = nullptr; // page-aligned mapping of pageRounded(m_size) bytes
    std::size_t m_size = 0;
    bool m_locked = false;
};

// Owners that need the same secret share one buffer; the last one wipes it. Null or empty: none.
using SharedSecret = std::shared_ptr<const SecretBytes>;

inline bool hasSecret(const SharedSecret &secret)
{
    return secret && !secret->isEmpty();
}

// A shared secret copied from bytes the caller keeps (and wipes, if they are its own).
inline SharedSecret copySharedSecret(QByteArrayView bytes)
{
    return SecretBytes::share(SecretBytes(bytes));
}

} // namespace TrainGuard::Crypto
