// SPDX-License-Identifier: GPL-3.0-or-later
// CaptureProtocol.h, the messages between trainguard-capture and its parent: every kind formats
// and parses back, foreign lines are ignored, and the real helper's lines parse to the kind its
// failure is (no privilege needed: these fail before libpcap runs).
#include "capture-helper/CaptureProtocol.h"

#include <QProcess>
#include <QTest>

using namespace TrainGuard::CaptureProtocol;

namespace {

Message parse(const std::string &line)
{
    return parseLine(std::string_view(line).substr(0, line.find('\n')));
}

// The helper's stderr, parsed line by line; its last error.
std::optional<Error> helperError(const QStringList &arguments, int *exitCode)
{
    QProcess helper;
    helper.setStandardOutputFile(QStringLiteral("/dev/null")); // not a terminal
    helper.start(QStringLiteral(TRAINGUARD_CAPTURE_HELPER_PATH), arguments);
    if (!helper.waitForFinished(10000))
        return std::nullopt;
    *exitCode = helper.exitCode();
    std::optional<Error> last;
    for (const QByteArray &line : helper.readAllStandardError().split('\n')) {
        const Message message = parseLine(std::string_view(line.constData(), static_cast<std::size_t>(line.size())));
        if (message.error)
            last = message.error;
    }
    return last;
}

} // namespace

class TestCaptureProtocol : public QObject
{
    Q_OBJECT

private slots:
    void everyErrorKindRoundTrips()
    {
        for (const ErrorKind kind : {ErrorKind::Usage, ErrorKind::Permission, ErrorKind::NoSuchDevice,
                                     ErrorKind::Filter, ErrorKind::Capture, ErrorKind::Output}) {
            const Message message = parse(formatError(kind, "text: with a colon"));
            QVERIFY(message.error);
            QVERIFY(!message.stats);
            QVERIFY(message.error->kind == kind);
            QCOMPARE(QString::fromStdString(message.error->text), QStringLiteral("text: with a colon"));
        }
    }

    void statsRoundTrip()
    {
        const Message message = parse(formatStats({4294967296ULL + 5, 7, 1}));
        QVERIFY(message.stats);
        QCOMPARE(message.stats->received, std::uint64_t(4294967296ULL + 5));
        QCOMPARE(message.stats->dropped, std::uint64_t(7));
        QCOMPARE(message.stats->interfaceDropped, std::uint64_t(1));
    }

    void foreignAndDamagedLinesAreNotMessages()
    {
        for (const char *line :
             {"", "libpcap warning", "trainguard-capture: stats received=1", "trainguard-capture:"}) {
            const Message message = parseLine(line);
            QVERIFY2(!message.stats && !message.error, line);
        }
        const Message unknown = parseLine("trainguard-capture: error weird: something");
        QVERIFY(unknown.error);
        QVERIFY(unknown.error->kind == ErrorKind::Capture); // an unknown kind is a capture failure
    }

    void helperLinesParseToTheirKind()
    {
        int exitCode = -1;
        std::optional<Error> error = helperError({QStringLiteral("-i"), QStringLiteral("nflog")}, &exitCode);
        QVERIFY(error);
        QVERIFY(error->kind == ErrorKind::NoSuchDevice);
        QCOMPARE(exitCode, ExitFailure);
        error = helperError({QStringLiteral("-i"), QStringLiteral("lo"), QStringLiteral("-B"),
                             QString::number(MaxKernelBuffer_mib + 1)},
                            &exitCode);
        QVERIFY(error);
        QVERIFY(error->kind == ErrorKind::Usage);
        QCOMPARE(exitCode, ExitUsage);
    }
};

QTEST_GUILESS_MAIN(TestCaptureProtocol)
#include "tst_captureprotocol.moc"
