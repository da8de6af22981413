#include "core/crypto/SecretBytes.h"

#include <openssl/crypto.h>

#include <cstring>
#include <utility>

namespace TrainGuard::Crypto {

namespace {

// Once it exists, OpenSSL takes every private key from it too: the receiver's TLS connections
// each hold a copy of the server key and each handshake an ephemeral key (~160 bytes a
// connection), so 64 KiB ran out at about 400 and no new sender got through. 1 MiB holds the
// default 1024 connections plus as many handshakes several times over, and stays under Debian's
// default RLIMIT_MEMLOCK (8 MiB) that the mlock needs.
constexpr std::size_t SecureHeapBytes = 1024 * 1024;
constexpr int SecureHeapMinAllocation = 16;

} // namespace

SecretBytes::SecretBytes(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return;
    m_size = static_cast<std::size_t>(bytes.size());
    // Falls back to OPENSSL_malloc when the secure heap is not initialised or full.
    m_data = static_cast<char *>(OPENSSL_secure_malloc(m_size));
    if (m_data == nullptr) {
        m_size = 0;
        return;
    }
    std::memcpy(m_data, bytes.data(), m_size);
}

SecretBytes::SecretBytes(SecretBytes &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
{ }

SecretBytes &SecretBytes::operator=(SecretBytes &&other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
    }
    return *this;
}

SecretBytes::~SecretBytes()
{
    clear();
}

SecretBytes SecretBytes::takeFrom(QByteArray &&bytes)
{
    if (bytes.isEmpty())
        return {};
    if (!bytes.isDetached()) {
        // Another QByteArray shares these bytes; wiping them would wipe (or detach) its copy
        // behind its owner's back. Refuse, so that the caller keeps one owner.
        bytes.clear();
        return {};
    }
    SecretBytes secret(bytes);
    wipe(bytes);
    return secret;
}

void SecretBytes::wipe(QByteArray &bytes)
{
    if (!bytes.isEmpty() && bytes.isDetached())
        OPENSSL_cleanse(bytes.data(), static_cast<std::size_t>(bytes.size()));
    bytes.clear();
}

std::shared_ptr<const SecretBytes> SecretBytes::share(SecretBytes &&secret)
{
    return std::make_shared<const SecretBytes>(std::move(secret));
}

bool SecretBytes::isInSecureHeap() const
{
    return m_data != nullptr && CRYPTO_secure_allocated(m_data) != 0;
}

void SecretBytes::clear()
{
    if (m_data != nullptr)
        OPENSSL_secure_clear_free(m_data, m_size); // wipes in either heap
    m_data = nullptr;
    m_size = 0;
}

bool initSecureHeap()
{
    if (CRYPTO_secure_malloc_initialized() != 0)
        return true;
    return CRYPTO_secure_malloc_init(SecureHeapBytes, SecureHeapMinAllocation) != 0;
}

} // namespace TrainGuard::Crypto
