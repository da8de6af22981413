// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/crypto/SecretBytes.h"

#include <openssl/crypto.h>

#include <cstring>
#include <utility>

#include <sys/mman.h>
#include <unistd.h>

namespace TrainGuard::Crypto {

namespace {

std::size_t pageRounded(std::size_t size)
{
    const auto page = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    return (size + page - 1) / page * page;
}

} // namespace

// Not OpenSSL's secure heap (CRYPTO_secure_malloc_init), which does the same per allocation: once
// a process sets it up, OpenSSL also takes every private key from it, and a fixed heap ran out
// under the receiver's TLS connections (each holds key copies), failing every later handshake.
// A secret here is a passphrase or two per process: a page each is cheap.
SecretBytes::SecretBytes(QByteArrayView bytes)
{
    if (bytes.isEmpty())
        return;
    const std::size_t length = pageRounded(static_cast<std::size_t>(bytes.size()));
    void *mapping = ::mmap(nullptr, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mapping == MAP_FAILED)
        return; // empty: callers treat it as no secret
    ::madvise(mapping, length, MADV_DONTDUMP); // out of core dumps
    ::madvise(mapping, length, MADV_DONTFORK); // and out of a forked child
    m_locked = ::mlock(mapping, length) == 0; // out of swap where RLIMIT_MEMLOCK allows
    m_data = static_cast<char *>(mapping);
    m_size = static_cast<std::size_t>(bytes.size());
    std::memcpy(m_data, bytes.data(), m_size);
}

SecretBytes::SecretBytes(SecretBytes &&other) noexcept
    : m_data(std::exchange(other.m_data, nullptr))
    , m_size(std::exchange(other.m_size, 0))
    , m_locked(std::exchange(other.m_locked, false))
{
}

SecretBytes &SecretBytes::operator=(SecretBytes &&other) noexcept
{
    if (this != &other) {
        clear();
        m_data = std::exchange(other.m_data, nullptr);
        m_size = std::exchange(other.m_size, 0);
        m_locked = std::exchange(other.m_locked, false);
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

void SecretBytes::clear()
{
    if (m_data != nullptr) {
        const std::size_t length = pageRounded(m_size);
        OPENSSL_cleanse(m_data, length);
        if (m_locked)
            ::munlock(m_data, length);
        ::munmap(m_data, length);
    }
    m_data = nullptr;
    m_size = 0;
    m_locked = false;
}

} // namespace TrainGuard::Crypto
