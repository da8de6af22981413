// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

// The one description of how trainguard-capture talks to its parent, shared by both sides (the
// helper and Capture::LiveCapture), as Wireshark's dumpcap and its parent share sync_pipe.h.
// Plain C++17, no Qt: the helper must stay small enough to audit.
//
// - stdout (a socket or pipe): a pcap stream (savefile format, microsecond timestamps).
// - stderr: one message per line, each "trainguard-capture: " followed by
//     stats received=N dropped=N ifdropped=N     (pcap_stats, every StatsInterval_ms and at the end)
//     error KIND: TEXT                           (one line, then the exit status below)
// - exit status: ExitOk, ExitFailure (an error line says why), ExitUsage.

#include <cstdint>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

namespace TrainGuard::CaptureProtocol {

constexpr int ExitOk = 0;
constexpr int ExitFailure = 1;
constexpr int ExitUsage = 2;

constexpr std::string_view LinePrefix = "trainguard-capture: ";
constexpr std::string_view StatsWord = "stats ";
constexpr std::string_view ErrorWord = "error ";

// The kernel ring is memory that cannot be swapped out, taken per helper at the caller's request.
constexpr int MaxKernelBuffer_mib = 256;
constexpr long StatsInterval_ms = 100;

enum class ErrorKind {
    Usage, // bad arguments (exit ExitUsage)
    Permission, // no capability to capture: the text names the fix
    NoSuchDevice, // not a network interface, or none of that name
    Filter, // the BPF filter does not compile
    Capture, // libpcap or the kernel failed
    Output, // the reader went away or the stream could not be written
};

constexpr std::string_view errorKindName(ErrorKind kind)
{
    switch (kind) {
    case ErrorKind::Usage:
        return "usage";
    case ErrorKind::Permission:
        return "permission";
    case ErrorKind::NoSuchDevice:
        return "no-such-device";
    case ErrorKind::Filter:
        return "filter";
    case ErrorKind::Capture:
        return "capture";
    case ErrorKind::Output:
        return "output";
    }
    return "capture";
}

constexpr std::optional<ErrorKind> errorKindFromName(std::string_view name)
{
    for (const ErrorKind kind : {ErrorKind::Usage, ErrorKind::Permission, ErrorKind::NoSuchDevice, ErrorKind::Filter,
                                 ErrorKind::Capture, ErrorKind::Output}) {
        if (errorKindName(kind) == name)
            return kind;
    }
    return std::nullopt;
}

struct Stats {
    std::uint64_t received = 0;
    std::uint64_t dropped = 0;
    std::uint64_t interfaceDropped = 0;
};

struct Error {
    ErrorKind kind = ErrorKind::Capture;
    std::string text;
};

inline std::string formatStats(const Stats &stats)
{
    char line[128];
    std::snprintf(line, sizeof line, "%.*sstats received=%llu dropped=%llu ifdropped=%llu\n",
                  static_cast<int>(LinePrefix.size()), LinePrefix.data(),
                  static_cast<unsigned long long>(stats.received), static_cast<unsigned long long>(stats.dropped),
                  static_cast<unsigned long long>(stats.interfaceDropped));
    return line;
}

inline std::string formatError(ErrorKind kind, std::string_view text)
{
    std::string line(LinePrefix);
    line += ErrorWord;
    line += errorKindName(kind);
    line += ": ";
    line += text;
    line += '\n';
    return line;
}

// One stderr line (without its newline): stats, an error, or nothing of ours (nullopt in both).
struct Message {
    std::optional<Stats> stats;
    std::optional<Error> error;
};

inline Message parseLine(std::string_view line)
{
    Message message;
    if (line.substr(0, LinePrefix.size()) != LinePrefix)
        return message;
    line.remove_prefix(LinePrefix.size());
    if (line.substr(0, StatsWord.size()) == StatsWord) {
        unsigned long long received = 0;
        unsigned long long dropped = 0;
        unsigned long long interfaceDropped = 0;
        const std::string copy(line.substr(StatsWord.size()));
        if (std::sscanf(copy.c_str(), "received=%llu dropped=%llu ifdropped=%llu", &received, &dropped,
                        &interfaceDropped)
            == 3)
            message.stats = Stats{received, dropped, interfaceDropped};
    } else if (line.substr(0, ErrorWord.size()) == ErrorWord) {
        line.remove_prefix(ErrorWord.size());
        const std::size_t colon = line.find(": ");
        Error error;
        if (colon == std::string_view::npos) {
            error.text = std::string(line);
        } else {
            error.kind = errorKindFromName(line.substr(0, colon)).value_or(ErrorKind::Capture);
            error.text = std::string(line.substr(colon + 2));
        }
        message.error = std::move(error);
    }
    return message;
}

} // namespace TrainGuard::CaptureProtocol
