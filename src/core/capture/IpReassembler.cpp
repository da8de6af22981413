// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/IpReassembler.h"

#include <algorithm>
#include <cstring>

namespace TrainGuard::Capture {

namespace {

std::string keyOf(const PacketView &view)
{
    const std::size_t addressLength = view.network == NetworkLayer::Ipv6 ? 16 : 4;
    std::string key(2 + 2 * addressLength + 4, '\0');
    key[0] = char(view.network);
    key[1] = char(view.fragmentProtocol);
    std::memcpy(key.data() + 2, view.srcAddress, addressLength);
    std::memcpy(key.data() + 2 + addressLength, view.dstAddress, addressLength);
    std::memcpy(key.data() + 2 + 2 * addressLength, &view.fragmentId, 4);
    return key;
}

} // namespace

void IpReassembler::drop(std::unordered_map<std::string, Pending>::iterator entry)
{
    m_droppedFragments += entry->second.frames;
    m_pendingBytes -= entry->second.bytes.size();
    m_pending.erase(entry);
}

void IpReassembler::expire(std::uint64_t now_us)
{
    while (!m_byAge.empty() && now_us - m_byAge.front().first > Timeout_us) {
        const auto entry = m_pending.find(m_byAge.front().second);
        // The key may have completed, or been dropped and started again later.
        if (entry != m_pending.end() && entry->second.firstSeen_us == m_byAge.front().first)
            drop(entry);
        m_byAge.pop_front();
    }
    // The age queue never outgrows the table by much: completed keys leave stale entries.
    while (m_byAge.size() > 2 * MaxPendingDatagrams) {
        const auto entry = m_pending.find(m_byAge.front().second);
        if (entry != m_pending.end() && entry->second.firstSeen_us == m_byAge.front().first)
            drop(entry);
        m_byAge.pop_front();
    }
}

void IpReassembler::dropPending()
{
    for (const auto &[key, pending] : m_pending)
        m_droppedFragments += pending.frames;
    m_pending.clear();
    m_byAge.clear();
    m_pendingBytes = 0;
}

bool IpReassembler::add(const PacketView &view, std::uint64_t timestamp_us, std::uint32_t frameWireLength,
                        ReassembledDatagram *datagram)
{
    expire(timestamp_us);
    const std::uint32_t begin = view.fragmentOffset;
    const std::uint32_t length = view.fragmentWireLength;
    const std::string key = keyOf(view);
    auto entry = m_pending.find(key);
    if (entry == m_pending.end()) {
        if (m_pending.size() >= MaxPendingDatagrams) {
            ++m_droppedFragments;
            return false;
        }
        entry = m_pending.emplace(key, Pending{}).first;
        entry->second.firstSeen_us = timestamp_us;
        m_byAge.emplace_back(timestamp_us, key);
    }
    Pending &pending = entry->second;
    ++pending.frames;
    pending.wireBytes += frameWireLength;
    // A piece we cannot hold whole makes the datagram impossible to rebuild.
    const std::uint64_t end = std::uint64_t(begin) + length;
    if (!view.fragmentData || view.fragmentCapturedLength < length || end > MaxDatagramPayload
        || (pending.lastSeen && end > pending.totalLength) || (!view.moreFragments && end < pending.bytes.size())) {
        drop(entry);
        return false;
    }
    if (!view.moreFragments) {
        if (pending.lastSeen && end != pending.totalLength) {
            drop(entry);
            return false;
        }
        pending.lastSeen = true;
        pending.totalLength = std::uint32_t(end);
    }
    if (end > pending.bytes.size()) {
        const std::size_t growth = end - pending.bytes.size();
        if (m_pendingBytes + growth > MaxPendingBytes) {
            drop(entry);
            return false;
        }
        m_pendingBytes += growth;
        pending.bytes.resize(end);
    }
    // Copy only into the holes: bytes that arrived first are kept.
    std::uint32_t cursor = begin;
    auto piece = std::lower_bound(pending.pieces.begin(), pending.pieces.end(), begin,
                                  [](const Piece &p, std::uint32_t value) { return p.end < value; });
    for (auto it = piece; cursor < end; ++it) {
        const std::uint32_t holeEnd
            = it == pending.pieces.end() ? std::uint32_t(end) : std::min<std::uint32_t>(it->begin, std::uint32_t(end));
        if (holeEnd > cursor)
            std::memcpy(pending.bytes.data() + cursor, view.fragmentData + (cursor - begin), holeEnd - cursor);
        if (it == pending.pieces.end())
            break;
        cursor = std::max(cursor, it->end);
    }
    // Merge [begin, end) into the pieces.
    auto last = piece;
    Piece merged{begin, std::uint32_t(end)};
    while (last != pending.pieces.end() && last->begin <= end) {
        merged.begin = std::min(merged.begin, last->begin);
        merged.end = std::max(merged.end, last->end);
        ++last;
    }
    piece = pending.pieces.erase(piece, last);
    pending.pieces.insert(piece, merged);
    if (pending.pieces.size() > MaxPieces) {
        drop(entry);
        return false;
    }
    if (!pending.lastSeen || pending.pieces.size() != 1 || pending.pieces.front().begin != 0
        || pending.pieces.front().end != pending.totalLength)
        return false;

    datagram->network = view.network;
    std::memcpy(datagram->srcAddress, view.srcAddress, sizeof datagram->srcAddress);
    std::memcpy(datagram->dstAddress, view.dstAddress, sizeof datagram->dstAddress);
    datagram->protocol = view.fragmentProtocol;
    datagram->payload = std::move(pending.bytes);
    datagram->frames = pending.frames;
    datagram->wireBytes = pending.wireBytes;
    m_pendingBytes -= datagram->payload.size();
    m_pending.erase(entry);
    ++m_reassembled;
    return true;
}

} // namespace TrainGuard::Capture
