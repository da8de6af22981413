// SPDX-License-Identifier: GPL-3.0-or-later
// Faults with real processes (`trainguard-cli serve` and `send`): the sender
// or the receiver killed with SIGKILL mid-upload and resumed, a full store
// disk, and a spool file corrupted on the receiver's disk between runs.
#include "ServeProcess.h"
#include "TransferTestSupport.h"
#include "support/SmallDisk.h"

#include "core/crypto/Sha256.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QThread>

#include <unistd.h>

#include <memory>

using namespace TransferTest;
using namespace TrainGuard;

namespace {

const QByteArray passphrase = "fault test passphrase";
// Big enough that the upload is still running when a poll every few ms sees
// the spool grow; PATCHes of 1 MiB so that there are many of them.
constexpr qint64 fileBytes = qint64(128) << 20;

QString spoolDir(const QString &storeDir)
{
    return storeDir + QStringLiteral("/.trainguard-spool");
}

} // namespace

class TestFaults : public QObject
{
    Q_OBJECT

private:
    Fixture m_fixture;
    QProcessEnvironment m_env;
    int m_run = 0;

    QString path(const QString &name) const { return m_fixture.dir.filePath(name); }

    ServeProcess::Options serveOptions(const QString &storeDir, quint16 port = 0) const
    {
        return {
            m_fixture.certs, storeDir, m_fixture.tokenFile, storeDir + QStringLiteral(".log"), passphrase, {}, port};
    }

    void startSend(QProcess &process, const QString &file, quint16 port)
    {
        process.setProcessEnvironment(m_env);
        process.setStandardInputFile(QProcess::nullDevice());
        process.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                      {QStringLiteral("send"), file, QStringLiteral("--to"),
                       QStringLiteral("https://localhost:%1").arg(port), QStringLiteral("--ca"), m_fixture.caFile,
                       QStringLiteral("--token-file"), m_fixture.tokenFile, QStringLiteral("--chunk-size"),
                       QStringLiteral("1M"), QStringLiteral("--quiet")});
    }

    struct SendRun {
        int exitCode = -1;
        QString lastLine; // the one-line result on stderr
        int failureLines = 0;
        QString err;
    };

    SendRun finishSend(QProcess &process, int timeout_ms = 90000)
    {
        SendRun run;
        if (!process.waitForFinished(timeout_ms)) {
            process.kill();
            process.waitForFinished();
            return run;
        }
        run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        run.err = QString::fromUtf8(process.readAllStandardError());
        const QStringList lines = run.err.split(u'\n', Qt::SkipEmptyParts);
        run.lastLine = lines.isEmpty() ? QString() : lines.last();
        run.failureLines = int(lines.filter(QStringLiteral("trainguard-cli send:")).size());
        return run;
    }

    SendRun send(const QString &file, quint16 port)
    {
        QProcess process;
        startSend(process, file, port);
        return finishSend(process);
    }

    // Waits until the receiver's spool holds a partial upload of at least
    // `minBytes`; returns its path (empty on timeout).
    static QString waitForPartialSpool(const QString &storeDir, qint64 minBytes, int timeout_ms = 60000)
    {
        QElapsedTimer clock;
        clock.start();
        while (clock.elapsed() < timeout_ms) {
            const QFileInfoList parts = QDir(spoolDir(storeDir)).entryInfoList({QStringLiteral("*.part")}, QDir::Files);
            for (const QFileInfo &part : parts) {
                if (part.size() >= minBytes)
                    return part.absoluteFilePath();
            }
            QThread::msleep(2);
        }
        return {};
    }

    static int countInLog(const QString &logFile, const QByteArray &needle)
    {
        QFile log(logFile);
        return log.open(QIODevice::ReadOnly) ? int(log.readAll().count(needle)) : -1;
    }

    QString input(const QByteArray &data)
    {
        const QString file = path(QStringLiteral("input/f%1.bin").arg(++m_run));
        return writeFile(file, data) ? file : QString();
    }

    // A `send` of fileBytes random bytes caught mid-upload, for a test to kill one side.
    struct Upload {
        std::unique_ptr<ServeProcess> serve;
        quint16 port = 0;
        QByteArray data;
        QString file;
        QProcess sender;
        QString part; // the receiver's spool file of the upload
    };

    // Starts a receiver on `store` and a `send` to it; returns once the spool holds `minBytes`.
    bool startUploadUntilSpooled(Upload &upload, const QString &store, qint64 minBytes, QString *error)
    {
        upload.serve = std::make_unique<ServeProcess>();
        if (!upload.serve->start(serveOptions(store))) {
            *error = QStringLiteral("the receiver did not start");
            return false;
        }
        upload.port = upload.serve->port();
        upload.data = randomBytes(fileBytes);
        upload.file = input(upload.data);
        startSend(upload.sender, upload.file, upload.port);
        upload.part = waitForPartialSpool(store, minBytes);
        if (upload.part.isEmpty()) {
            *error = QStringLiteral("the upload never started");
            return false;
        }
        return true;
    }

    // SIGKILL, as a crash or power cut: no chance to clean up. True once the process is gone.
    static bool killAndReap(QProcess &process)
    {
        ::kill(static_cast<pid_t>(process.processId()), SIGKILL);
        return process.waitForFinished(10000);
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_fixture.setUp());
        m_env = QProcessEnvironment::systemEnvironment();
        m_env.insert(QStringLiteral("XDG_DATA_HOME"), path(QStringLiteral("xdg-data")));
        m_env.insert(QStringLiteral("XDG_CONFIG_HOME"), path(QStringLiteral("xdg-config")));
        m_env.insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), QString::fromLatin1(passphrase));
    }

    void senderKilledMidUploadResumes()
    {
        const QString store = path(QStringLiteral("store-sender-kill"));
        Upload upload;
        QString error;
        QVERIFY2(startUploadUntilSpooled(upload, store, 4 << 20, &error), qPrintable(error));
        QVERIFY(killAndReap(upload.sender));
        QCOMPARE(upload.sender.exitStatus(), QProcess::CrashExit);
        QTest::qWait(300); // the receiver notices the dropped connection
        const qint64 partial = QFileInfo(upload.part).size();
        QVERIFY2(partial < fileBytes, "the upload finished before the kill");
        QCOMPARE(storeFiles(store), QStringList());

        const QString name = QFileInfo(upload.file).fileName();
        const SendRun second = send(upload.file, upload.port);
        QVERIFY2(second.exitCode == 0, qPrintable(second.err));
        QCOMPARE(storeFiles(store), QStringList{name});
        QCOMPARE(Crypto::Sha256::hashFile(store + u'/' + name), Crypto::Sha256::hash(upload.data));
        // Resumed (HEAD, then PATCH from the offset), not created again.
        QCOMPARE(countInLog(store + QStringLiteral(".log"), " POST /files/ 201"), 1);
        qInfo("FAULT sender SIGKILL at %lld of %lld bytes; second run resumed and stored it intact", partial,
              fileBytes);
    }

    void receiverKilledMidUploadRestartsAndResumes()
    {
        const QString store = path(QStringLiteral("store-receiver-kill"));
        Upload upload;
        QString error;
        QVERIFY2(startUploadUntilSpooled(upload, store, 4 << 20, &error), qPrintable(error));
        upload.serve->kill(); // SIGKILL: no chance to flush or clean up
        const qint64 partial = QFileInfo(upload.part).size();
        const QString name = QFileInfo(upload.file).fileName();
        QVERIFY2(partial < fileBytes + (1 << 20), "the upload finished before the kill");
        QVERIFY(!QFileInfo::exists(store + u'/' + name));

        // The sender retries while the receiver is down; it comes back on the same port.
        upload.serve = std::make_unique<ServeProcess>();
        QVERIFY(upload.serve->start(serveOptions(store, upload.port)));
        const SendRun run = finishSend(upload.sender);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QCOMPARE(Crypto::Sha256::hashFile(store + u'/' + name), Crypto::Sha256::hash(upload.data));
        // Nothing else in the store: no temporary file of the interrupted verification.
        QCOMPARE(storeFiles(store), QStringList{name});
        QCOMPARE(countInLog(store + QStringLiteral(".log"), " POST /files/ 201"), 1);
        qInfo("FAULT receiver SIGKILL at %lld of %lld bytes; restarted, sender resumed, stored intact", partial,
              fileBytes);
    }

    void corruptedSpoolIsRejected()
    {
        const QString store = path(QStringLiteral("store-corrupt"));
        Upload upload;
        QString error;
        QVERIFY2(startUploadUntilSpooled(upload, store, 8 << 20, &error), qPrintable(error));
        QVERIFY(killAndReap(upload.sender));
        QVERIFY(upload.serve->terminate());

        // One bit flipped in the middle of what the receiver already holds.
        {
            QFile spool(upload.part);
            QVERIFY(spool.open(QIODevice::ReadWrite));
            QVERIFY(spool.size() > (4 << 20));
            QVERIFY(spool.seek(2 << 20));
            char byte = 0;
            QVERIFY(spool.getChar(&byte));
            QVERIFY(spool.seek(2 << 20));
            QVERIFY(spool.putChar(static_cast<char>(byte ^ 0x10)));
        }

        upload.serve = std::make_unique<ServeProcess>();
        QVERIFY(upload.serve->start(serveOptions(store, upload.port)));
        const SendRun run = send(upload.file, upload.port);
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.failureLines, 1);
        QVERIFY2(run.lastLine.startsWith(QStringLiteral("trainguard-cli send: "))
                     && run.lastLine.contains(QStringLiteral("rejected")),
                 qPrintable(run.lastLine));
        QCOMPARE(storeFiles(store), QStringList());
        qInfo("FAULT corrupted spool: %s", qPrintable(run.lastLine));
    }

    void otherPassphraseOnTheReceiverIsRejected()
    {
        const QString store = path(QStringLiteral("store-other-passphrase"));
        ServeProcess serve;
        ServeProcess::Options options = serveOptions(store);
        options.passphrase = "not the sender's passphrase";
        QVERIFY(serve.start(options));
        const SendRun run = send(input(randomBytes(100 * 1024)), serve.port());
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.failureLines, 1);
        QVERIFY2(run.lastLine.contains(QStringLiteral("rejected"))
                     && run.lastLine.contains(QStringLiteral("wrong passphrase")),
                 qPrintable(run.lastLine));
        QCOMPARE(storeFiles(store), QStringList());
    }

    // A receiver without the passphrase (the headless default) keeps the
    // envelope: compromising it yields ciphertext only.
    void ciphertextOnlyReceiverNeverHoldsPlaintext()
    {
        const QString store = path(QStringLiteral("store-ciphertext-only"));
        ServeProcess serve;
        ServeProcess::Options options = serveOptions(store);
        options.passphrase.clear();
        QVERIFY(serve.start(options));
        const QByteArray data = randomBytes(300 * 1024);
        const QString file = input(data);
        const SendRun run = send(file, serve.port());
        // `send` exits 0 only for a verified plaintext SHA-256, which this receiver cannot give.
        QCOMPARE(run.exitCode, 1);
        QVERIFY2(run.lastLine.contains(QStringLiteral("stored as ciphertext")), qPrintable(run.lastLine));
        const QString name = QFileInfo(file).fileName();
        QCOMPARE(storeFiles(store), QStringList{name + QStringLiteral(".ste1")});
        QFile envelope(store + u'/' + name + QStringLiteral(".ste1"));
        QVERIFY(envelope.open(QIODevice::ReadOnly));
        const QByteArray stored = envelope.readAll();
        QVERIFY(stored.startsWith("STE1"));
        QVERIFY(!stored.contains(data.left(64)));
        // The owner of the passphrase gets the dataset back.
        QProcess decrypt;
        decrypt.setProcessEnvironment(m_env);
        decrypt.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                      {QStringLiteral("decrypt"), envelope.fileName(), path(QStringLiteral("decrypted.bin"))});
        QVERIFY(decrypt.waitForFinished(60000));
        QCOMPARE(decrypt.exitCode(), 0);
        QCOMPARE(Crypto::Sha256::hashFile(path(QStringLiteral("decrypted.bin"))), Crypto::Sha256::hash(data));
    }

    void fullStoreDiskIsAOneLineError_data() { addFullDiskRows(); }

    void fullStoreDiskIsAOneLineError()
    {
        QFETCH(int, size);
        QFETCH(QString, expected);
        if (geteuid() != 0)
            QSKIP("mounting a small tmpfs needs root");
        const TrainGuard::TestSupport::SmallDisk disk(QStringLiteral("1m"));
        QVERIFY(disk.isMounted());
        const QString store = disk.path() + QStringLiteral("/store");
        ServeProcess serve;
        ServeProcess::Options options = serveOptions(store);
        options.logFile = path(QStringLiteral("full-disk-%1.log").arg(size));
        QVERIFY(serve.start(options));
        const QString file = input(randomBytes(size));

        const SendRun run = send(file, serve.port());
        QCOMPARE(run.exitCode, 1);
        QCOMPARE(run.failureLines, 1);
        QVERIFY2(run.lastLine.startsWith(QStringLiteral("trainguard-cli send: ")) && run.lastLine.contains(expected),
                 qPrintable(run.lastLine));
        QCOMPARE(storeFiles(store), QStringList()); // no truncated file, no temporary file
        QVERIFY2(serve.isRunning(), "the receiver died on a full disk");
        qInfo("FAULT full disk (%d bytes on 1 MiB): %s", size, qPrintable(run.lastLine));
        QVERIFY(serve.terminate());
    }
};

QTEST_GUILESS_MAIN(TestFaults)
#include "tst_faults.moc"
