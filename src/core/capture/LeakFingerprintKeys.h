// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/GearHash.h"
#include "core/capture/SipHash.h"

#include <QString>

#include <atomic>
#include <cstdint>
#include <memory>

namespace TrainGuard::Capture {

// The random keys of one fingerprint set (the Gear table that picks windows, the SipHash key
// that hashes them) and the set's candidate mask while it is being built. Drawn before the
// build, so that a live scanner can roll the same Gear hash over the traffic and hash the same
// windows while the dataset is still being read; the build only ever adds bits to the mask
// (a stricter selection is a subset of a looser one), so a window the current mask rejects is
// never a fingerprint, and one it accepts is looked up once the set is complete.
class LeakFingerprintKeys
{
public:
    // nullptr with a one-line *error when the random source fails.
    static std::shared_ptr<LeakFingerprintKeys> generate(QString *error);
    ~LeakFingerprintKeys();
    LeakFingerprintKeys(const LeakFingerprintKeys &) = delete;
    LeakFingerprintKeys &operator=(const LeakFingerprintKeys &) = delete;

    const GearHash::Table &gearTable() const { return m_gearTable; }
    std::uint64_t hashWindow(const std::uint8_t *window) const
    {
        const std::uint64_t h = m_hash(window);
        return h == 0 ? 1 : h; // 0 marks an empty slot
    }

    // The mask of the build so far: every window the final set holds passes it.
    std::uint32_t candidateMask() const { return m_candidateMask.load(std::memory_order_acquire); }
    void setCandidateMask(std::uint32_t mask) { m_candidateMask.store(mask, std::memory_order_release); }

private:
    LeakFingerprintKeys(std::uint64_t k0, std::uint64_t k1, const GearHash::Table &gearTable);

    SipHash32 m_hash;
    GearHash::Table m_gearTable{};
    std::atomic<std::uint32_t> m_candidateMask{0};
};

} // namespace TrainGuard::Capture
