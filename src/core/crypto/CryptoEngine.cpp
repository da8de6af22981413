#include "core/crypto/CryptoEngine.h"

#include "core/BulkWork.h"
#include "core/Logging.h"
#include "core/crypto/Sha256.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/crypto/Ste1Encryptor.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSaveFile>

#include <openssl/crypto.h>

#include <functional>
#include <memory>

namespace TrainGuard::Crypto {

namespace {

constexpr qint64 ProgressInterval_ms = 100; // ≤ 10 Hz

// Passes reads through to a file and fails them once `cancelled` says so, which stops the
// engine's encryptDevice/decryptDevice loops at the next segment.
class CancellableFile : public QIODevice
{
public:
    CancellableFile(const QString &path, std::function<bool()> cancelled) : m_file(path), m_cancelled(std::move(cancelled)) {}

    // Fails with "cancelled" before opening anything once the job is cancelled.
    bool openInput(QString *error)
    {
        if (m_cancelled()) {
            *error = QStringLiteral("cancelled");
            return false;
        }
        if (!m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
            *error = QStringLiteral("cannot open %1: %2").arg(m_file.fileName(), m_file.errorString());
            return false;
        }
        return open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    }
    qint64 fileSize() const { return m_file.size(); }
    bool isSequential() const override { return false; }
    bool seek(qint64 position) override { return QIODevice::seek(position) && m_file.seek(position); }
    qint64 size() const override { return m_file.size(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        if (m_cancelled()) {
            setErrorString(QStringLiteral("cancelled"));
            return -1;
        }
        const qint64 got = m_file.read(data, maxSize);
        if (got < 0)
            setErrorString(m_file.errorString());
        return got;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QFile m_file;
    std::function<bool()> m_cancelled;
};

class ProgressThrottle
{
public:
    explicit ProgressThrottle(std::function<void(qint64)> emitProgress) : m_emit(std::move(emitProgress)) { m_timer.start(); }
    void update(qint64 done)
    {
        if (m_timer.elapsed() >= ProgressInterval_ms) {
            m_timer.restart();
            m_emit(done);
        }
    }

private:
    std::function<void(qint64)> m_emit;
    QElapsedTimer m_timer;
};

Ste1Status cannotWrite(const QString &path, const QSaveFile &output)
{
    return Ste1Status::failure(Ste1Error::Io, QStringLiteral("cannot write %1: %2").arg(path, output.errorString()));
}

// Renames the output into place when the job succeeded; otherwise it never appears.
Ste1Status commitOrCancel(QSaveFile &output, const QString &path, const Ste1Status &status)
{
    if (!status.ok()) {
        output.cancelWriting();
        return status;
    }
    if (!output.commit())
        return cannotWrite(path, output);
    return status;
}

} // namespace

CryptoEngine::CryptoEngine(QObject *parent) : QObject(parent)
{
    static const int registered = [] {
        qRegisterMetaType<MasterKey>();
        qRegisterMetaType<Ste1Status>();
        return 0;
    }();
    Q_UNUSED(registered);
    m_thread.setObjectName(QStringLiteral("crypto worker"));
    m_worker = new QObject;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    // OpenSSL keeps per-thread state (DRBGs, error queue) that a thread-exit handler frees only
    // after wait() has returned, racing the process's exit (a leak under LSan): free it first.
    connect(&m_thread, &QThread::finished, this, [] { OPENSSL_thread_stop(); }, Qt::DirectConnection);
    connect(&m_thread, &QThread::started, this, [] { lowerCurrentThreadForBulkWork(); }, Qt::DirectConnection);
    m_thread.start();
}

CryptoEngine::~CryptoEngine()
{
    cancelAll();
    m_thread.quit();
    m_thread.wait();
}

void CryptoEngine::cancelAll()
{
    m_cancelBefore.store(m_nextJob.load());
}

quint64 CryptoEngine::post(std::function<void(quint64)> job)
{
    const quint64 id = m_nextJob.fetch_add(1);
    QMetaObject::invokeMethod(m_worker, [job = std::move(job), id] { job(id); }, Qt::QueuedConnection);
    return id;
}

quint64 CryptoEngine::deriveKey(const QByteArray &passphraseUtf8, const QByteArray &kdfSalt, quint32 iterations)
{
    auto passphrase = std::make_shared<QByteArray>(passphraseUtf8);
    return post([this, passphrase, kdfSalt, iterations](quint64 id) {
        MasterKey key = id < m_cancelBefore.load() ? MasterKey() : MasterKey::derive(*passphrase, kdfSalt, iterations);
        OPENSSL_cleanse(passphrase->data(), static_cast<size_t>(passphrase->size()));
        emit keyDerived(id, key);
    });
}

quint64 CryptoEngine::encryptFile(const QString &in, const QString &out, const MasterKey &key, quint32 segmentSize)
{
    return post([this, in, out, key, segmentSize](quint64 id) {
        emit fileFinished(id, runEncrypt(id, in, out, key, segmentSize));
    });
}

quint64 CryptoEngine::decryptFile(const QString &in, const QString &out, const QByteArray &passphraseUtf8)
{
    auto passphrase = std::make_shared<QByteArray>(passphraseUtf8);
    return post([this, in, out, passphrase](quint64 id) {
        const Ste1Status status = runDecrypt(id, in, out, *passphrase);
        OPENSSL_cleanse(passphrase->data(), static_cast<size_t>(passphrase->size()));
        emit fileFinished(id, status);
    });
}

quint64 CryptoEngine::hashFile(const QString &path)
{
    return post([this, path](quint64 id) {
        QString error;
        const std::optional<QByteArray> digest = id < m_cancelBefore.load() ? std::nullopt : Sha256::hashFile(path, &error);
        if (!digest && error.isEmpty())
            error = QStringLiteral("cancelled");
        emit fileHashed(id, digest.value_or(QByteArray()), error);
    });
}

Ste1Status CryptoEngine::runEncrypt(quint64 jobId, const QString &in, const QString &out, const MasterKey &key,
                                    quint32 segmentSize)
{
    CancellableFile input(in, [this, jobId] { return jobId < m_cancelBefore.load(); });
    QString error;
    if (!input.openInput(&error))
        return Ste1Status::failure(Ste1Error::Io, error);
    Ste1Encryptor encryptor(key, segmentSize);
    if (!encryptor.isValid())
        return Ste1Status::failure(Ste1Error::Internal, QStringLiteral("invalid master key or segment size"));
    QSaveFile output(out);
    if (!output.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return cannotWrite(out, output);
    const qint64 total = input.fileSize();
    ProgressThrottle throttle([&](qint64 done) { emit progress(jobId, done, total); });
    const Ste1Status status = encryptor.encryptDevice(input, output, 0, [&](qint64 done) { throttle.update(done); });
    const Ste1Status result = commitOrCancel(output, out, status);
    if (result.ok())
        emit progress(jobId, total, total);
    return result;
}

Ste1Status CryptoEngine::runDecrypt(quint64 jobId, const QString &in, const QString &out, const QByteArray &passphraseUtf8)
{
    CancellableFile input(in, [this, jobId] { return jobId < m_cancelBefore.load(); });
    QString error;
    if (!input.openInput(&error))
        return Ste1Status::failure(Ste1Error::Io, error);
    QSaveFile output(out);
    if (!output.open(QIODevice::WriteOnly | QIODevice::Unbuffered))
        return cannotWrite(out, output);
    const qint64 total = input.fileSize();
    ProgressThrottle throttle([&](qint64 done) { emit progress(jobId, done, total); });
    QString writeError;
    Ste1Decryptor decryptor(m_keyCache.keyProvider(passphraseUtf8), [&](quint64, QByteArrayView plaintext) {
        if (output.write(plaintext.data(), plaintext.size()) != plaintext.size()) {
            writeError = output.errorString();
            return false;
        }
        throttle.update(input.pos());
        return true;
    });
    Ste1Status status = decryptor.decryptDevice(input);
    if (status.error == Ste1Error::OutputRejected)
        status = Ste1Status::failure(Ste1Error::Io, QStringLiteral("cannot write %1: %2").arg(out, writeError));
    const Ste1Status result = commitOrCancel(output, out, status);
    if (result.ok())
        emit progress(jobId, total, total);
    return result;
}

} // namespace TrainGuard::Crypto
