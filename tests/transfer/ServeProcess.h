// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once
// A real `trainguard-cli serve` process for the load and fault tests: started
// on a free loopback port, its memory read from /proc, stopped with SIGTERM or
// killed with SIGKILL (a crash or power cut as far as the receiver can tell).

#include <QDeadlineTimer>
#include <QFile>
#include <QProcess>
#include <QRegularExpression>
#include <QTest>

#include <csignal>

namespace TransferTest {

class ServeProcess
{
public:
    struct Options {
        QString certsDir;
        QString storeDir;
        QString tokenFile;
        QString logFile; // the receiver's stdout and stderr
        QByteArray passphrase; // empty: ciphertext-only receiver
        QStringList extraArguments;
        quint16 port = 0; // 0: any free port
    };

    ~ServeProcess() { kill(); }

    bool start(const Options &options)
    {
        m_options = options;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.remove(QStringLiteral("TRAINGUARD_PASSPHRASE"));
        if (!options.passphrase.isEmpty())
            environment.insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), QString::fromLatin1(options.passphrase));
        m_process.setProcessEnvironment(environment);
        m_process.setProcessChannelMode(QProcess::MergedChannels);
        // A file, not a pipe: the receiver logs every request and nobody may have to drain it.
        m_process.setStandardOutputFile(options.logFile, QIODevice::Append);
        m_process.setStandardInputFile(QProcess::nullDevice());
        const qint64 logStart = QFile(options.logFile).size();
        m_process.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                        QStringList{QStringLiteral("serve"), QStringLiteral("--listen"),
                                    QStringLiteral("127.0.0.1:%1").arg(options.port), QStringLiteral("--certs"),
                                    options.certsDir, QStringLiteral("--store"), options.storeDir,
                                    QStringLiteral("--token-file"), options.tokenFile}
                            + options.extraArguments);
        if (!m_process.waitForStarted())
            return false;
        static const QRegularExpression listening(QStringLiteral("listening on https://127\\.0\\.0\\.1:(\\d+)"));
        QDeadlineTimer deadline(15000);
        while (!deadline.hasExpired() && m_process.state() == QProcess::Running) {
            QFile log(options.logFile);
            if (log.open(QIODevice::ReadOnly)) {
                log.seek(qMax<qint64>(0, logStart));
                const QRegularExpressionMatch match = listening.match(QString::fromUtf8(log.readAll()));
                if (match.hasMatch()) {
                    m_port = static_cast<quint16>(match.captured(1).toUInt());
                    return true;
                }
            }
            QTest::qWait(20);
        }
        return false;
    }

    quint16 port() const { return m_port; }
    qint64 pid() const { return m_process.processId(); }
    bool isRunning() const { return m_process.state() == QProcess::Running; }

    // The kernel's view of the receiver's memory: resident now and its peak (VmHWM), in KiB.
    qint64 statusKiB(const QByteArray &field) const
    {
        QFile status(QStringLiteral("/proc/%1/status").arg(pid()));
        if (!status.open(QIODevice::ReadOnly))
            return -1;
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith(QByteArray(field + ':')))
                return line.mid(field.size() + 1).trimmed().split(' ').first().toLongLong();
        }
        return -1;
    }
    qint64 rssKiB() const { return statusKiB("VmRSS"); }
    qint64 peakRssKiB() const { return statusKiB("VmHWM"); }

    void kill()
    {
        if (m_process.state() == QProcess::NotRunning)
            return;
        ::kill(static_cast<pid_t>(pid()), SIGKILL);
        m_process.waitForFinished(10000);
    }

    bool terminate()
    {
        if (m_process.state() == QProcess::NotRunning)
            return false;
        m_process.terminate();
        return m_process.waitForFinished(15000) && m_process.exitStatus() == QProcess::NormalExit
            && m_process.exitCode() == 0;
    }

private:
    Options m_options;
    QProcess m_process;
    quint16 m_port = 0;
};

} // namespace TransferTest
