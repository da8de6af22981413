// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/PacketDissector.h"

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>
#include <vector>

namespace TrainGuard::Capture {

// A datagram rebuilt from its fragments.
struct ReassembledDatagram {
    NetworkLayer network = NetworkLayer::None;
    std::uint8_t srcAddress[16] = {};
    std::uint8_t dstAddress[16] = {};
    std::uint8_t protocol = 0; // IPv4 protocol / IPv6 next header of the fragmentable part
    std::vector<std::uint8_t> payload; // everything after the IP header(s)
    std::uint32_t frames = 0; // fragments that made it, duplicates included
    std::uint64_t wireBytes = 0; // their frames' wire lengths
};

// IPv4 and IPv6 fragment reassembly (RFC 791 3.2, RFC 8200 4.5), keyed by addresses, protocol and
// identification. Bounded in memory and in time: at most MaxPendingDatagrams datagrams and
// MaxPendingBytes bytes are held; a datagram still incomplete Timeout_us after its first fragment
// (packet time, as Linux's ipfrag_time) is dropped; a datagram needing more than MaxPieces
// separate pieces, longer than 65,535 bytes, or with a fragment not fully captured is dropped.
// Overlapping bytes keep what arrived first.
class IpReassembler
{
public:
    static constexpr std::size_t MaxPendingDatagrams = 4096;
    static constexpr std::size_t MaxPendingBytes = 16 * 1024 * 1024;
    static constexpr std::size_t MaxPieces = 64;
    static constexpr std::uint32_t MaxDatagramPayload = 65535;
    static constexpr std::uint64_t Timeout_us = 30'000'000;

    // Takes one fragment (view.ipFragment). True with *datagram filled when it completed one.
    bool add(const PacketView &view, std::uint64_t timestamp_us, std::uint32_t frameWireLength,
             ReassembledDatagram *datagram);
    // End of the packet stream: what is still pending will never complete.
    void dropPending();

    std::uint64_t reassembled() const { return m_reassembled; }
    std::uint64_t droppedFragments() const { return m_droppedFragments; } // expired, over a bound, or broken
    std::size_t pendingBytes() const { return m_pendingBytes; }

private:
    struct Piece {
        std::uint32_t begin;
        std::uint32_t end;
    };
    struct Pending {
        std::uint64_t firstSeen_us = 0;
        std::vector<std::uint8_t> bytes;
        std::vector<Piece> pieces; // sorted, disjoint
        std::uint32_t totalLength = 0; // known once the last fragment came
        bool lastSeen = false;
        std::uint32_t frames = 0;
        std::uint64_t wireBytes = 0;
    };
    void expire(std::uint64_t now_us);
    void drop(std::unordered_map<std::string, Pending>::iterator entry);

    std::unordered_map<std::string, Pending> m_pending; // key: network, addresses, protocol, id
    std::deque<std::pair<std::uint64_t, std::string>> m_byAge; // (firstSeen_us, key), oldest first
    std::size_t m_pendingBytes = 0;
    std::uint64_t m_reassembled = 0;
    std::uint64_t m_droppedFragments = 0;
};

} // namespace TrainGuard::Capture
