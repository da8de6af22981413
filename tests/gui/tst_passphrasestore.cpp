// SPDX-License-Identifier: GPL-3.0-or-later
// The profile passphrase store. In the test environment there is no D-Bus
// session bus, so the 0600-file fallback is what runs here; a desktop with a
// secret service takes the keychain path.
#include "gui/PassphraseStore.h"

#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using TrainGuard::Gui::PassphraseStore;
namespace Crypto = TrainGuard::Crypto;

class TestPassphraseStore : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // Make sure no real desktop keychain is touched from a developer session.
        qunsetenv("DBUS_SESSION_BUS_ADDRESS");
    }

    void createsPrivateFileOnceAndKeepsIt()
    {
        QTemporaryDir dir;
        const PassphraseStore::Location location{QStringLiteral("TrainGuardTest"), QStringLiteral("test"),
                                                 dir.filePath(QStringLiteral("data/passphrase"))};
        PassphraseStore first(location);
        QSignalSpy ready(&first, &PassphraseStore::ready);
        first.load();
        QVERIFY(ready.wait(15000));
        const QByteArray passphrase = ready.at(0).at(0).value<Crypto::SharedSecret>()->view().toByteArray();
        QCOMPARE(ready.at(0).at(1).value<PassphraseStore::Backend>(), PassphraseStore::Backend::PrivateFile);
        QCOMPARE(passphrase.size(), 43); // 32 bytes, base64url without padding
        QCOMPARE(QFile::permissions(location.privateFilePath),
                 QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser | QFileDevice::WriteUser);

        PassphraseStore second(location);
        QSignalSpy readyAgain(&second, &PassphraseStore::ready);
        second.load();
        QCOMPARE(readyAgain.size(), 1); // the file exists: answered at once
        QCOMPARE(readyAgain.at(0).at(0).value<Crypto::SharedSecret>()->view().toByteArray(), passphrase);
    }

    void refusesAFileOthersCanRead()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("passphrase"));
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("secret\n");
        file.close();
        QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));

        PassphraseStore store({QStringLiteral("TrainGuardTest"), QStringLiteral("test"), path});
        QSignalSpy failed(&store, &PassphraseStore::failed);
        QSignalSpy ready(&store, &PassphraseStore::ready);
        store.load();
        QCOMPARE(failed.size(), 1);
        QVERIFY(failed.at(0).at(0).toString().contains(QStringLiteral("chmod 600")));
        QCOMPARE(ready.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestPassphraseStore)
#include "tst_passphrasestore.moc"
