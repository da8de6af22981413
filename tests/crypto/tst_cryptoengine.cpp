// CryptoEngine: jobs run on its worker thread, results arrive as queued signals, progress is
// throttled, failures leave no output, and destruction cancels promptly.
#include "core/crypto/CryptoEngine.h"
#include "core/crypto/Sha256.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using namespace TrainGuard::Crypto;

namespace {

bool writeRandomFile(const QString &path, qint64 size)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return false;
    QByteArray chunk(1024 * 1024, Qt::Uninitialized);
    QRandomGenerator generator(42);
    for (qint64 done = 0; done < size; done += chunk.size()) {
        generator.fillRange(reinterpret_cast<quint32 *>(chunk.data()), chunk.size() / 4);
        file.write(chunk.constData(), qMin<qint64>(chunk.size(), size - done));
    }
    return true;
}

} // namespace

class TestCryptoEngine : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void deriveEncryptDecryptHashOffTheCallersThread()
    {
        CryptoEngine engine;
        const QString plain = m_dir.filePath(QStringLiteral("plain.bin"));
        const QString envelope = m_dir.filePath(QStringLiteral("plain.ste"));
        const QString decrypted = m_dir.filePath(QStringLiteral("plain.out"));
        QVERIFY(writeRandomFile(plain, 3 * 1024 * 1024 + 7));

        QThread *workThread = nullptr;
        connect(&engine, &CryptoEngine::keyDerived, &engine, [&] { workThread = QThread::currentThread(); },
                Qt::DirectConnection);
        QSignalSpy derived(&engine, &CryptoEngine::keyDerived);
        const QByteArray salt = MasterKey::generateKdfSalt();
        const quint64 deriveJob = engine.deriveKey("engine passphrase", salt, MasterKey::MinIterations);
        QVERIFY(derived.wait(30000));
        QVERIFY(workThread && workThread != QThread::currentThread());
        QCOMPARE(derived.at(0).at(0).toULongLong(), deriveJob);
        const MasterKey key = derived.at(0).at(1).value<MasterKey>();
        QVERIFY(key.isValid());
        QCOMPARE(key.kdfSalt(), salt);

        QSignalSpy finished(&engine, &CryptoEngine::fileFinished);
        QSignalSpy progress(&engine, &CryptoEngine::progress);
        const quint64 encryptJob = engine.encryptFile(plain, envelope, key, 65536);
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(0).at(0).toULongLong(), encryptJob);
        QVERIFY2(finished.at(0).at(1).value<Ste1Status>().ok(), qPrintable(finished.at(0).at(1).value<Ste1Status>().message));
        QVERIFY(!progress.isEmpty());
        QCOMPARE(progress.last().at(1).toLongLong(), 3 * 1024 * 1024 + 7); // final report: done == total

        const quint64 decryptJob = engine.decryptFile(envelope, decrypted, "engine passphrase");
        QVERIFY(finished.wait(30000));
        QCOMPARE(finished.at(1).at(0).toULongLong(), decryptJob);
        QVERIFY2(finished.at(1).at(1).value<Ste1Status>().ok(), qPrintable(finished.at(1).at(1).value<Ste1Status>().message));

        QSignalSpy hashed(&engine, &CryptoEngine::fileHashed);
        engine.hashFile(decrypted);
        QVERIFY(hashed.wait(30000));
        QVERIFY(hashed.at(0).at(2).toString().isEmpty());
        QCOMPARE(hashed.at(0).at(1).toByteArray(), Sha256::hashFile(plain).value_or(QByteArray()));
    }

    void wrongPassphraseLeavesNoOutput()
    {
        CryptoEngine engine;
        const QString plain = m_dir.filePath(QStringLiteral("w.bin"));
        const QString envelope = m_dir.filePath(QStringLiteral("w.ste"));
        const QString decrypted = m_dir.filePath(QStringLiteral("w.out"));
        QVERIFY(writeRandomFile(plain, 100000));
        const MasterKey key = MasterKey::derive(QByteArray("right"), MasterKey::generateKdfSalt(), MasterKey::MinIterations);
        QSignalSpy finished(&engine, &CryptoEngine::fileFinished);
        engine.encryptFile(plain, envelope, key, 4096);
        engine.decryptFile(envelope, decrypted, "wrong");
        QTRY_COMPARE_WITH_TIMEOUT(finished.size(), 2, 30000);
        const Ste1Status status = finished.at(1).at(1).value<Ste1Status>();
        QCOMPARE(status.error, Ste1Error::WrongPassphrase);
        QCOMPARE(status.message, QStringLiteral("wrong passphrase"));
        QVERIFY(!QFile::exists(decrypted));
        QCOMPARE(QDir(m_dir.path()).entryList({QStringLiteral("w.out*")}, QDir::Files | QDir::Hidden), QStringList());
    }

    void destructionCancelsAndLeavesNoOutput()
    {
        const QString plain = m_dir.filePath(QStringLiteral("big.bin"));
        const QString envelope = m_dir.filePath(QStringLiteral("big.ste"));
        QVERIFY(writeRandomFile(plain, 64 * 1024 * 1024));
        const MasterKey key = MasterKey::fromBytes(QByteArray(32, 'k'), QByteArray(16, 's'), MasterKey::MinIterations);
        QList<Ste1Status> results;
        {
            CryptoEngine engine;
            connect(&engine, &CryptoEngine::fileFinished, &engine,
                    [&](quint64, const Ste1Status &status) { results << status; }, Qt::DirectConnection);
            for (int i = 0; i < 5; ++i)
                engine.encryptFile(plain, envelope, key, 4096);
            QTest::qWait(20);
        } // cancels the running job and the queued ones, then joins the worker
        QCOMPARE(results.size(), 5);
        QVERIFY(!results.constLast().ok());
        QCOMPARE(results.constLast().message, QStringLiteral("cancelled"));
        QVERIFY(!QFile::exists(envelope) || results.constFirst().ok());
    }

private:
    QTemporaryDir m_dir;
};

QTEST_GUILESS_MAIN(TestCryptoEngine)
#include "tst_cryptoengine.moc"
