// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include "core/capture/Flow.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace TrainGuard::Capture {

// The well-known UDP protocols that carry names or data in the clear (DNS and its multicast
// relatives, NetBIOS name service, SSDP, DHCP, NTP, syslog, SNMP, TFTP), recognised by their port
// and a check of their header, the way tshark assigns them. Each check is bounds-checked and
// reads only the datagram.
class CleartextUdp
{
public:
    static constexpr std::size_t MaxSummaryLength = 120;

    // The protocol of a datagram between these ports, or Application::Unknown. *summary (when
    // recognised) gets a short description for the flow's reason, such as the queried name.
    static Application detect(std::uint16_t sourcePort, std::uint16_t destinationPort, const std::uint8_t *data,
                              std::size_t length, std::string *summary);
    static const char *displayName(Application application); // "DNS", "mDNS", ...
};

} // namespace TrainGuard::Capture
