// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/capture/CleartextUdp.h"

#include <algorithm>
#include <cstring>

namespace TrainGuard::Capture {

namespace {

inline std::uint16_t be16(const std::uint8_t *p)
{
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

bool onPort(std::uint16_t sourcePort, std::uint16_t destinationPort, std::uint16_t port)
{
    return sourcePort == port || destinationPort == port;
}

// Printable ASCII only: the summary ends up in reports and the GUI.
void appendPrintable(std::string *out, const std::uint8_t *data, std::size_t length)
{
    for (std::size_t i = 0; i < length && out->size() < CleartextUdp::MaxSummaryLength; ++i)
        out->push_back(data[i] >= 0x20 && data[i] < 0x7F ? char(data[i]) : '?');
}

// The first name of a DNS-format message (RFC 1035 4.1.4): labels up to a pointer or the root.
// A name cut by the end of the captured bytes (a snap length) counts once one label was whole.
bool dnsName(const std::uint8_t *data, std::size_t length, std::size_t offset, std::string *name)
{
    std::size_t total = 0;
    while (offset < length) {
        const std::uint8_t label = data[offset];
        if (label == 0)
            return true;
        if ((label & 0xC0) == 0xC0) // compression pointer: enough for a summary
            return offset + 1 < length;
        if (label <= 63 && offset + 1 + label > length)
            return total > 0;
        if (label > 63 || (total += label + 1) > 255)
            return false;
        if (!name->empty())
            name->push_back('.');
        appendPrintable(name, data + offset + 1, label);
        offset += 1 + label;
    }
    return total > 0; // cut right after a label
}

// DNS, mDNS and LLMNR share the message format. A plausible header, and a question or answer
// whose name parses.
bool dnsMessage(const std::uint8_t *data, std::size_t length, std::string *summary)
{
    if (length < 12)
        return false;
    const int opcode = (data[2] >> 3) & 0x0F;
    const std::uint16_t questions = be16(data + 4);
    const std::uint16_t answers = be16(data + 6);
    if (opcode > 6 || opcode == 3 || questions > 32 || (questions == 0 && answers == 0))
        return false;
    std::string name;
    if (!dnsName(data, length, 12, &name))
        return false;
    const bool response = data[2] & 0x80;
    *summary = std::string(response ? "response" : "query") + (questions ? " for " : " with ")
        + (name.empty() ? "<root>" : name);
    return true;
}

// NetBIOS names are 16 bytes, each split into two letters 'A' + nibble (RFC 1001 14.1).
bool netbiosName(const std::uint8_t *data, std::size_t length, std::string *summary)
{
    if (length < 12 + 34 || data[12] != 32 || be16(data + 4) > 32)
        return false;
    std::string name;
    for (int i = 0; i < 15; ++i) {
        const int high = data[13 + 2 * i] - 'A';
        const int low = data[14 + 2 * i] - 'A';
        if (high < 0 || high > 15 || low < 0 || low > 15)
            return false;
        const std::uint8_t c = std::uint8_t(high << 4 | low);
        appendPrintable(&name, &c, 1);
    }
    while (!name.empty() && name.back() == ' ')
        name.pop_back();
    *summary = std::string(data[2] & 0x80 ? "response" : "query") + " for " + name;
    return true;
}

bool startsWith(const std::uint8_t *data, std::size_t length, const char *prefix)
{
    const std::size_t n = std::strlen(prefix);
    return length >= n && std::memcmp(data, prefix, n) == 0;
}

bool ssdp(const std::uint8_t *data, std::size_t length, std::string *summary)
{
    if (!startsWith(data, length, "M-SEARCH * HTTP/1.") && !startsWith(data, length, "NOTIFY * HTTP/1.")
        && !startsWith(data, length, "HTTP/1.1 200"))
        return false;
    const std::size_t lineEnd = std::find(data, data + length, std::uint8_t('\r')) - data;
    appendPrintable(summary, data, lineEnd);
    return true;
}

// BOOTP/DHCP (RFC 2131): op, the magic cookie, and the host name option when the client sent one.
bool dhcp(const std::uint8_t *data, std::size_t length, std::string *summary)
{
    if (length < 240 || (data[0] != 1 && data[0] != 2) || be16(data + 236) != 0x6382 || be16(data + 238) != 0x5363)
        return false;
    *summary = data[0] == 1 ? "request" : "reply";
    for (std::size_t offset = 240; offset < length;) {
        const std::uint8_t option = data[offset];
        if (option == 255)
            break;
        if (option == 0) {
            ++offset;
            continue;
        }
        if (offset + 2 > length || offset + 2 + data[offset + 1] > length)
            break;
        if (option == 12) { // host name
            *summary += " from host ";
            appendPrintable(summary, data + offset + 2, data[offset + 1]);
            break;
        }
        offset += 2 + data[offset + 1];
    }
    return true;
}

bool ntp(const std::uint8_t *data, std::size_t length)
{
    if (length < 48)
        return false;
    const int version = (data[0] >> 3) & 0x07;
    const int mode = data[0] & 0x07;
    return version >= 1 && version <= 4 && mode >= 1 && mode <= 5;
}

// RFC 5424/3164: "<PRI>" with PRI of at most 3 digits.
bool syslog(const std::uint8_t *data, std::size_t length)
{
    if (length < 3 || data[0] != '<')
        return false;
    std::size_t i = 1;
    while (i < length && i <= 4 && data[i] >= '0' && data[i] <= '9')
        ++i;
    return i > 1 && i < length && data[i] == '>';
}

// SNMP (RFC 3416): a BER SEQUENCE starting with the version INTEGER 0, 1 or 3. The community
// string that follows is a password in clear text: it is never copied into the summary.
bool snmp(const std::uint8_t *data, std::size_t length, std::string *summary)
{
    if (length < 5 || data[0] != 0x30)
        return false;
    std::size_t offset = 2;
    if (data[1] & 0x80)
        offset += data[1] & 0x7F;
    if (offset + 3 > length || data[offset] != 0x02 || data[offset + 1] != 0x01 || data[offset + 2] > 3
        || data[offset + 2] == 2)
        return false;
    static constexpr const char *versions[] = {"version 1", "version 2c", "", "version 3"};
    *summary = versions[data[offset + 2]];
    return true;
}

// TFTP read or write request (RFC 1350): opcode, file name, NUL, mode, NUL.
bool tftp(const std::uint8_t *data, std::size_t length, std::string *summary)
{
    if (length < 4 || data[0] != 0 || (data[1] != 1 && data[1] != 2))
        return false;
    const std::uint8_t *end = std::find(data + 2, data + length, std::uint8_t(0));
    if (end == data + 2 || end == data + length)
        return false;
    *summary = data[1] == 1 ? "read request for " : "write request for ";
    appendPrintable(summary, data + 2, std::size_t(end - data - 2));
    return true;
}

} // namespace

Application CleartextUdp::detect(std::uint16_t sourcePort, std::uint16_t destinationPort, const std::uint8_t *data,
                                 std::size_t length, std::string *summary)
{
    std::string text;
    Application application = Application::Unknown;
    if (onPort(sourcePort, destinationPort, 53) && dnsMessage(data, length, &text))
        application = Application::Dns;
    else if (onPort(sourcePort, destinationPort, 5353) && dnsMessage(data, length, &text))
        application = Application::Mdns;
    else if (onPort(sourcePort, destinationPort, 5355) && dnsMessage(data, length, &text))
        application = Application::Llmnr;
    else if (onPort(sourcePort, destinationPort, 137) && netbiosName(data, length, &text))
        application = Application::NetbiosNs;
    else if (onPort(sourcePort, destinationPort, 1900) && ssdp(data, length, &text))
        application = Application::Ssdp;
    else if ((onPort(sourcePort, destinationPort, 67) || onPort(sourcePort, destinationPort, 68))
             && dhcp(data, length, &text))
        application = Application::Dhcp;
    else if ((onPort(sourcePort, destinationPort, 546) || onPort(sourcePort, destinationPort, 547)) && length >= 4
             && data[0] >= 1 && data[0] <= 13)
        application = Application::Dhcpv6;
    else if (onPort(sourcePort, destinationPort, 123) && ntp(data, length))
        application = Application::Ntp;
    else if (onPort(sourcePort, destinationPort, 514) && syslog(data, length))
        application = Application::Syslog;
    else if ((onPort(sourcePort, destinationPort, 161) || onPort(sourcePort, destinationPort, 162))
             && snmp(data, length, &text))
        application = Application::Snmp;
    else if (destinationPort == 69 && tftp(data, length, &text))
        application = Application::Tftp;
    if (application != Application::Unknown && summary)
        *summary = text;
    return application;
}

const char *CleartextUdp::displayName(Application application)
{
    switch (application) {
    case Application::Dns:
        return "DNS";
    case Application::Mdns:
        return "mDNS";
    case Application::Llmnr:
        return "LLMNR";
    case Application::NetbiosNs:
        return "NetBIOS name service";
    case Application::Ssdp:
        return "SSDP";
    case Application::Dhcp:
        return "DHCP";
    case Application::Dhcpv6:
        return "DHCPv6";
    case Application::Ntp:
        return "NTP";
    case Application::Syslog:
        return "syslog";
    case Application::Snmp:
        return "SNMP";
    case Application::Tftp:
        return "TFTP";
    default:
        return "";
    }
}

} // namespace TrainGuard::Capture
