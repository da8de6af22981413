// CryptoEngine: jobs run on its worker thread, results arrive as queued signals, progress is
// throttled, failures leave no output, and destruction cancels promptly.
#include "core/crypto/CryptoEngine.h"
#include "core/crypto/Sha256.h"

#include <QFile>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>

#include <atomic>

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

constexpr int Timeout_ms = 60000; // generous: the machine may be loaded

// Collects the engine's results on the test's thread. The engine emits from its worker thread and
// a QSignalSpy records in the emitting thread, so a result emitted before QSignalSpy::wait()
// started (a loaded machine) was missed and wait() timed out; these lists are only touched here.
struct EngineResults
{
    struct Key {
        quint64 job;
        MasterKey key;
    };
    struct Progress {
        quint64 job;
        qint64 done;
        qint64 total;
    };
    struct Finished {
        quint64 job;
        Ste1Status status;
    };
    struct Hashed {
        quint64 job;
        QByteArray sha256;
        QString error;
    };

    explicit EngineResults(CryptoEngine *engine)
    {
        QObject::connect(engine, &CryptoEngine::keyDerived, &context,
                         [this](quint64 job, const MasterKey &key) { keys.append({job, key}); });
        QObject::connect(engine, &CryptoEngine::progress, &context,
                         [this](quint64 job, qint64 done, qint64 total) { progress.append({job, done, total}); });
        QObject::connect(engine, &CryptoEngine::fileFinished, &context,
                         [this](quint64 job, const Ste1Status &status) { finished.append({job, status}); });
        QObject::connect(engine, &CryptoEngine::fileHashed, &context,
                         [this](quint64 job, const QByteArray &sha256, const QString &error) { hashed.append({job, sha256, error}); });
    }

    QList<Key> keys;
    QList<Progress> progress;
    QList<Finished> finished;
    QList<Hashed> hashed;
    QObject context; // last: destroyed first, so an undelivered result is dropped, not delivered to freed lists
};

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

        std::atomic<QThread *> workThread = nullptr;
        connect(&engine, &CryptoEngine::keyDerived, &engine, [&] { workThread = QThread::currentThread(); },
                Qt::DirectConnection);
        EngineResults results(&engine);
        const QByteArray salt = MasterKey::generateKdfSalt();
        const quint64 deriveJob = engine.deriveKey("engine passphrase", salt, MasterKey::MinIterations);
        QTRY_COMPARE_WITH_TIMEOUT(results.keys.size(), 1, Timeout_ms);
        QVERIFY(workThread && workThread != QThread::currentThread());
        QCOMPARE(results.keys.at(0).job, deriveJob);
        const MasterKey key = results.keys.at(0).key;
        QVERIFY(key.isValid());
        QCOMPARE(key.kdfSalt(), salt);

        const quint64 encryptJob = engine.encryptFile(plain, envelope, key, 65536);
        QTRY_COMPARE_WITH_TIMEOUT(results.finished.size(), 1, Timeout_ms);
        QCOMPARE(results.finished.at(0).job, encryptJob);
        QVERIFY2(results.finished.at(0).status.ok(), qPrintable(results.finished.at(0).status.message));
        // Queued in emission order: the final report is in before fileFinished.
        QVERIFY(!results.progress.isEmpty());
        QCOMPARE(results.progress.last().job, encryptJob);
        QCOMPARE(results.progress.last().done, 3 * 1024 * 1024 + 7); // final report: done == total
        QCOMPARE(results.progress.last().total, 3 * 1024 * 1024 + 7);

        const quint64 decryptJob = engine.decryptFile(envelope, decrypted, "engine passphrase");
        QTRY_COMPARE_WITH_TIMEOUT(results.finished.size(), 2, Timeout_ms);
        QCOMPARE(results.finished.at(1).job, decryptJob);
        QVERIFY2(results.finished.at(1).status.ok(), qPrintable(results.finished.at(1).status.message));

        engine.hashFile(decrypted);
        QTRY_COMPARE_WITH_TIMEOUT(results.hashed.size(), 1, Timeout_ms);
        QVERIFY(results.hashed.at(0).error.isEmpty());
        QCOMPARE(results.hashed.at(0).sha256, Sha256::hashFile(plain).value_or(QByteArray()));
    }

    void wrongPassphraseLeavesNoOutput()
    {
        CryptoEngine engine;
        const QString plain = m_dir.filePath(QStringLiteral("w.bin"));
        const QString envelope = m_dir.filePath(QStringLiteral("w.ste"));
        const QString decrypted = m_dir.filePath(QStringLiteral("w.out"));
        QVERIFY(writeRandomFile(plain, 100000));
        const MasterKey key = MasterKey::derive(QByteArray("right"), MasterKey::generateKdfSalt(), MasterKey::MinIterations);
        EngineResults results(&engine);
        engine.encryptFile(plain, envelope, key, 4096);
        const quint64 decryptJob = engine.decryptFile(envelope, decrypted, "wrong");
        QTRY_COMPARE_WITH_TIMEOUT(results.finished.size(), 2, Timeout_ms);
        QVERIFY2(results.finished.at(0).status.ok(), qPrintable(results.finished.at(0).status.message));
        QCOMPARE(results.finished.at(1).job, decryptJob);
        const Ste1Status status = results.finished.at(1).status;
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
        QSemaphore running;
        QSemaphore proceed;
        std::atomic<bool> gated = false;
        {
            CryptoEngine engine;
            connect(&engine, &CryptoEngine::fileFinished, &engine,
                    [&](quint64, const Ste1Status &status) { results << status; }, Qt::DirectConnection);
            // The first progress report proves a job is running; the worker holds there until the
            // engine is about to go, so it cannot have finished every job first however loaded
            // the machine is (no sleep guessing how long the job takes to start).
            connect(&engine, &CryptoEngine::progress, &engine, [&] {
                if (!gated.exchange(true)) {
                    running.release();
                    proceed.acquire();
                }
            }, Qt::DirectConnection);
            for (int i = 0; i < 5; ++i)
                engine.encryptFile(plain, envelope, key, 4096);
            const bool started = running.tryAcquire(1, Timeout_ms);
            proceed.release(); // at least ~4 x 64 MiB of work remain; released even on failure, or the join would hang
            QVERIFY(started);
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
