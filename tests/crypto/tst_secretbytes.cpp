// SPDX-License-Identifier: GPL-3.0-or-later
// Crypto::SecretBytes and the process protections of core/ProcessHardening.h: secrets are never
// implicitly shared, live in pages of their own left out of core dumps, are wiped when
// dropped, and TRAINGUARD_PASSPHRASE leaves the environment of a real `trainguard-cli` process.
#include "core/ProcessHardening.h"
#include "core/crypto/SecretBytes.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <sys/prctl.h>
#include <sys/resource.h>

#include <type_traits>

using TrainGuard::Crypto::SecretBytes;

namespace {

// The VmFlags of the mapping of this process that holds address, from /proc/self/smaps.
QByteArray vmFlagsOf(const void *address)
{
    QFile smaps(QStringLiteral("/proc/self/smaps"));
    if (!smaps.open(QIODevice::ReadOnly))
        return {};
    const auto target = reinterpret_cast<quintptr>(address);
    bool inside = false;
    for (const QByteArray &line : smaps.readAll().split('\n')) {
        const qsizetype dash = line.indexOf('-');
        const qsizetype space = line.indexOf(' ');
        if (dash > 0 && space > dash && line.indexOf(':') > space) { // "start-end perms ..." opens a mapping
            bool okStart = false;
            bool okEnd = false;
            const quintptr start = line.left(dash).toULongLong(&okStart, 16);
            const quintptr end = line.mid(dash + 1, space - dash - 1).toULongLong(&okEnd, 16);
            inside = okStart && okEnd && start <= target && target < end;
        } else if (inside && line.startsWith("VmFlags:")) {
            return line.mid(8).trimmed();
        }
    }
    return {};
}

} // namespace

class TestSecretBytes : public QObject
{
    Q_OBJECT

private slots:
    void movesButNeverCopies()
    {
        static_assert(!std::is_copy_constructible_v<SecretBytes> && !std::is_copy_assignable_v<SecretBytes>);
        SecretBytes secret(QByteArrayView("correct horse"));
        const char *bytes = secret.data();
        SecretBytes moved(std::move(secret));
        QVERIFY(secret.isEmpty()); // NOLINT(bugprone-use-after-move): the moved-from state is the point
        QCOMPARE(moved.data(), bytes); // the same buffer: nothing was copied
        QCOMPARE(moved.view(), QByteArrayView("correct horse"));
        const SecretBytes copy = moved.clone(); // copies are explicit
        QVERIFY(copy.data() != moved.data());
        QCOMPARE(copy.view(), moved.view());
    }

    void bytesLiveOutsideCoreDumpsAndForks()
    {
        const SecretBytes secret(QByteArrayView("correct horse battery staple"));
        const QByteArray flags = vmFlagsOf(secret.data());
        QVERIFY2(!flags.isEmpty(), "no mapping holds the secret");
        const QList<QByteArray> set = flags.split(' ');
        QVERIFY2(set.contains("dd"), flags.constData()); // MADV_DONTDUMP
        QVERIFY2(set.contains("dc"), flags.constData()); // MADV_DONTFORK
#if !defined(__SANITIZE_ADDRESS__) // ASan's mlock interceptor reports success and locks nothing
        QCOMPARE(set.contains("lo"), secret.isLocked()); // mlock'ed, where RLIMIT_MEMLOCK allows
#endif
    }

    // A dropped secret's pages are gone from the process (wiped first: clear() cleanses them
    // before munmap, which no test can observe afterwards).
    void droppedBytesAreUnmapped()
    {
        SecretBytes secret(QByteArrayView("wipe me, wipe me"));
        const void *bytes = secret.data();
        QVERIFY(!vmFlagsOf(bytes).isEmpty());
        secret.clear();
        QVERIFY(secret.isEmpty());
        QVERIFY(!secret.isLocked());
        QVERIFY(vmFlagsOf(bytes).isEmpty() || !vmFlagsOf(bytes).split(' ').contains("dd"));
    }

    void takeFromRefusesASharedArray()
    {
        QByteArray own = QByteArray("fresh ") + "bytes";
        const SecretBytes taken = SecretBytes::takeFrom(std::move(own));
        QCOMPARE(taken.view(), QByteArrayView("fresh bytes"));
        QVERIFY(own.isEmpty()); // NOLINT(bugprone-use-after-move)

        QByteArray original = QByteArray("shared ") + "bytes";
        QByteArray alias = original; // implicitly shared: wiping one would wipe or detach the other
        const SecretBytes refused = SecretBytes::takeFrom(std::move(alias));
        QVERIFY(refused.isEmpty());
        QCOMPARE(original, QByteArray("shared bytes")); // the other owner's bytes are untouched
    }

    void sharedSecretIsOneBuffer()
    {
        const TrainGuard::Crypto::SharedSecret a = TrainGuard::Crypto::copySharedSecret("one buffer");
        const TrainGuard::Crypto::SharedSecret b = a; // e.g. a config copied to a worker thread
        QCOMPARE(a->data(), b->data());
        QVERIFY(TrainGuard::Crypto::hasSecret(a));
        QVERIFY(!TrainGuard::Crypto::hasSecret({}));
    }

    void environmentSecretIsTakenAndWipedInPlace()
    {
        qputenv("TG_TEST_SECRET", "environment secret");
        const char *inEnviron = getenv("TG_TEST_SECRET");
        const SecretBytes secret = TrainGuard::takeSecretFromEnvironment("TG_TEST_SECRET");
        QCOMPARE(secret.view(), QByteArrayView("environment secret"));
        QVERIFY(!qEnvironmentVariableIsSet("TG_TEST_SECRET"));
        QCOMPARE(inEnviron[0], '\0'); // qputenv's string is still allocated (putenv keeps it)
        QVERIFY(TrainGuard::takeSecretFromEnvironment("TG_TEST_SECRET").isEmpty());
    }

    // A real CLI process: no core dumps, and the passphrase variable gone from what /proc shows
    // of its environment (which is what a child or another user's `ps e` would see).
    void cliProcessDropsThePassphraseAndCoreDumps()
    {
        const QByteArray passphrase = "passphrase that must not linger";
        QProcess cli;
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("TRAINGUARD_PASSPHRASE"), QString::fromLatin1(passphrase));
        environment.insert(QStringLiteral("TG_ENVIRON_READ"), QStringLiteral("1"));
        cli.setProcessEnvironment(environment);
        // `watch` runs until stopped and reads no passphrase: the variable must go all the same.
        QTemporaryDir folder;
        cli.start(QStringLiteral(TRAINGUARD_CLI_PATH),
                  {QStringLiteral("watch"), QStringLiteral("--no-audit"), folder.path()});
        QVERIFY(cli.waitForStarted());
        // Its first event on stdout proves that main() ran past the scrub.
        for (int i = 0; i < 40 && cli.bytesAvailable() == 0; ++i) {
            QFile touch(folder.filePath(QStringLiteral("f%1").arg(i)));
            QVERIFY(touch.open(QIODevice::WriteOnly));
            touch.close();
            cli.waitForReadyRead(250);
        }
        QVERIFY2(cli.bytesAvailable() > 0,
                 qPrintable(QStringLiteral("trainguard-cli watch reported no event: ")
                            + QString::fromUtf8(cli.readAllStandardError())));
        const QString proc = QStringLiteral("/proc/%1/").arg(cli.processId());
        QFile environ(proc + QStringLiteral("environ"));
        QVERIFY(environ.open(QIODevice::ReadOnly));
        const QByteArray shown = environ.readAll();
        QVERIFY(shown.contains("TG_ENVIRON_READ=1")); // read while the CLI still runs
        QVERIFY(!shown.contains(passphrase));
        QFile limits(proc + QStringLiteral("limits"));
        QVERIFY(limits.open(QIODevice::ReadOnly));
        bool coreLimitSeen = false;
        for (const QByteArray &line : limits.readAll().split('\n')) {
            if (line.startsWith("Max core file size")) {
                coreLimitSeen = true;
                QCOMPARE(line.simplified(), QByteArray("Max core file size 0 0 bytes"));
            }
        }
        QVERIFY(coreLimitSeen);
        cli.terminate();
        QVERIFY(cli.waitForFinished(10000));
    }

    void disableCoreDumpsMakesTheProcessUndumpable()
    {
        QVERIFY(TrainGuard::disableCoreDumps());
        QCOMPARE(prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), 0);
        rlimit core{};
        QCOMPARE(getrlimit(RLIMIT_CORE, &core), 0);
        QCOMPARE(core.rlim_cur, rlim_t(0));
    }
};

QTEST_GUILESS_MAIN(TestSecretBytes)
#include "tst_secretbytes.moc"
