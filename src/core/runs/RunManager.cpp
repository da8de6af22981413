// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/runs/RunManager.h"

#include "core/Logging.h"
#include "core/ThreadPolicy.h"
#include "core/crypto/Sha256.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/fswatch/FsMonitor.h"
#include "core/pairing/PairingService.h"
#include "core/runs/HostEventStream.h"
#include "core/runs/RunEventStream.h"
#include "core/transfer/UploadStore.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QProcess>
#include <QRegularExpression>
#include <QSaveFile>
#include <QSocketNotifier>
#include <QTimer>

#include <openssl/rand.h>

#include <atomic>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <linux/magic.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <unistd.h>

namespace TrainGuard::Runs {

using namespace Qt::StringLiterals;
using Transfer::StoredForm;
using Transfer::UploadRecord;
using Transfer::UploadState;

namespace {

constexpr int lastLinesKept = 5;
constexpr qint64 metricsReadBytes = 64 * 1024;
constexpr int maxMetricLineBytes = 4096;
constexpr int malformedMetricsReported = 5;

QString newRunId()
{
    unsigned char bytes[16];
    if (RAND_bytes(bytes, sizeof bytes) != 1)
        qFatal("RAND_bytes failed");
    return QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(bytes), sizeof bytes).toHex());
}

bool isRunId(const QString &id)
{
    static const QRegularExpression pattern(u"^[0-9a-f]{32}$"_s);
    return pattern.match(id).hasMatch();
}

// RAM-backed: tmpfs (size-limited, may swap) or ramfs (no limit, never swaps). Free bytes of
// tmpfs from statfs; ramfs reports none, so MemAvailable stands in.
bool ramBacked(const QString &dir, qint64 *freeBytes, QString *kind)
{
    struct statfs fs {
    };
    if (::statfs(QFile::encodeName(dir).constData(), &fs) != 0)
        return false;
    if (fs.f_type == TMPFS_MAGIC) {
        *kind = u"tmpfs"_s;
        *freeBytes = static_cast<qint64>(fs.f_bavail) * static_cast<qint64>(fs.f_bsize);
        return true;
    }
    if (fs.f_type == RAMFS_MAGIC) {
        *kind = u"ramfs"_s;
        *freeBytes = 0;
        QFile meminfo(u"/proc/meminfo"_s);
        if (meminfo.open(QIODevice::ReadOnly)) {
            for (const QByteArray &line : meminfo.readAll().split('\n')) {
                if (line.startsWith("MemAvailable:"))
                    *freeBytes = line.mid(13).trimmed().split(' ').first().toLongLong() * 1024;
            }
        }
        return true;
    }
    return false;
}

using KeyProvider = Crypto::Ste1Decryptor::KeyProvider;

// Decrypts `source` (a verified STE1 envelope in the store) and hands the plaintext to `write`;
// the plaintext SHA-256 must match `expectedSha256`. One line on failure.
QString decryptInto(const QString &source, const KeyProvider &keys, const QString &expectedSha256,
                    const std::shared_ptr<std::atomic_bool> &stop, const std::function<bool(QByteArrayView)> &write)
{
    QFile in(source);
    if (!in.open(QIODevice::ReadOnly))
        return QStringLiteral("cannot read %1: %2").arg(QFileInfo(source).fileName(), in.errorString());
    Crypto::Sha256 hash;
    Crypto::Ste1Decryptor decryptor(keys, [&](quint64, QByteArrayView plaintext) {
        if (stop->load())
            return false;
        hash.addData(plaintext);
        return write(plaintext);
    });
    const Crypto::Ste1Status status = decryptor.decryptDevice(in);
    if (stop->load())
        return u"stopped"_s;
    if (!status.ok())
        return QStringLiteral("dataset failed verification: %1").arg(status.message);
    if (!expectedSha256.isEmpty() && QString::fromLatin1(hash.result().toHex()) != expectedSha256)
        return u"dataset failed verification: plaintext SHA-256 does not match"_s;
    return {};
}

bool writeAll(int fd, QByteArrayView data)
{
    qsizetype done = 0;
    while (done < data.size()) {
        const ssize_t n = ::write(fd, data.data() + done, static_cast<size_t>(data.size() - done));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return false;
        done += n;
    }
    return true;
}

QString commonDirectory(const QStringList &relatives)
{
    QStringList common = relatives.first().split(u'/');
    common.removeLast();
    for (const QString &relative : relatives) {
        const QStringList parts = relative.split(u'/');
        qsizetype same = 0;
        while (same < common.size() && same < parts.size() - 1 && common.at(same) == parts.at(same))
            ++same;
        common = common.mid(0, same);
    }
    return common.join(u'/');
}

} // namespace

struct RunManager::Active {
    QProcess *process = nullptr;
    int metricsFd = -1;
    QSocketNotifier *metricsNotifier = nullptr;
    QByteArray stdoutBuffer;
    QByteArray stderrBuffer;
    QByteArray metricsBuffer;
    QTimer timeout;
    QTimer kill;
    std::optional<RunState> endState; // decided by a cancel or a timeout
    QString endReason;
    QString memoryDir; // removed after the run
    std::shared_ptr<std::atomic_bool> stop = std::make_shared<std::atomic_bool>(false);
    QString streamError;
    QStringList lastLines;
    int malformedMetrics = 0;
};

struct RunManager::Dataset {
    QStringList sources; // absolute paths in the store
    QStringList relatives; // where each goes, relative
    QStringList sha256s;
    QString sha256; // one file: its SHA-256; several: of "sha256  path" lines
    qint64 bytes = 0; // upper bound of the plaintext
};

RunManager::RunManager(RunManagerConfig config, Transfer::UploadStore *store, QObject *parent)
    : QObject(parent)
    , m_config(std::move(config))
    , m_store(store)
    , m_keys(std::make_shared<Crypto::MasterKeyCache>())
{
    m_pool.setMaxThreadCount(2);
    // A command that closes its stdin early must not kill the receiver with SIGPIPE (stream mode):
    // write() then fails with EPIPE instead.
    std::signal(SIGPIPE, SIG_IGN);
}

RunManager::~RunManager()
{
    if (m_storeMonitor)
        m_storeMonitor->stopAndWait();
    // Commands die with the receiver (also PR_SET_PDEATHSIG); their records stay unfinished
    // and are reported failed by the next open().
    for (const auto &active : std::as_const(m_active)) {
        active->stop->store(true);
        if (active->process) {
            active->process->disconnect(this);
            active->process->kill();
            active->process->waitForFinished(2000);
        }
        if (active->metricsFd >= 0)
            ::close(active->metricsFd);
    }
    m_pool.waitForDone();
    for (const auto &active : std::as_const(m_active)) {
        if (!active->memoryDir.isEmpty())
            QDir(active->memoryDir).removeRecursively();
    }
}

bool RunManager::open(QString *error)
{
    if (m_config.runsDir.isEmpty())
        m_config.runsDir = QDir(m_store->config().storeDir).filePath(u".trainguard-runs"_s);
    if (m_config.memoryDir.isEmpty()) {
        const QString runtime = qEnvironmentVariable("RUNTIME_DIRECTORY").split(u':').first();
        m_config.memoryDir = !runtime.isEmpty() ? runtime : QStringLiteral("/dev/shm/trainguard-%1").arg(::getuid());
    }
    if (!QDir().mkpath(m_config.runsDir)) {
        *error = QStringLiteral("cannot create %1").arg(m_config.runsDir);
        return false;
    }
    QFile::setPermissions(m_config.runsDir, QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    if (!m_config.profilesDir.isEmpty() && !TrainingProfile::loadDirectory(m_config.profilesDir, &m_profiles, error))
        return false;

    const QDir runs(m_config.runsDir);
    const QStringList ids = runs.entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &id : ids) {
        QFile file(runs.filePath(id + u"/run.json"_s));
        if (!isRunId(id) || !file.open(QIODevice::ReadOnly))
            continue;
        auto run = RunInfo::fromJson(QJsonDocument::fromJson(file.read(1 << 20)).object());
        if (!run || run->id != id)
            continue;
        m_runs.insert(id, *run);
        if (!isFinal(run->state)) {
            RunInfo &recovered = m_runs[id];
            setState(recovered, RunState::Failed, {},
                     QStringLiteral("the receiver restarted while the run was %1").arg(runStateName(run->state)));
            audit(recovered, u"run-ended"_s);
        }
        // Plaintext left in RAM by a receiver that was killed.
        QDir(QDir(m_config.memoryDir).filePath(id)).removeRecursively();
    }
    // The store as the workstation's Files panel sees its own folders; the receiver's own
    // directories (spool, runs) are not the user's files.
    m_storeMonitor = std::make_unique<FsWatch::FsMonitor>();
    connect(m_storeMonitor.get(), &FsWatch::FsMonitor::eventsReady, this,
            [this](quint64, const FsWatch::FileEventBatch &batch) {
                const QDir store(m_store->config().storeDir);
                for (const FsWatch::FileEvent &event : batch) {
                    const QString relative = store.relativeFilePath(event.path);
                    if (relative.startsWith(u'.') || relative.contains(u"/."))
                        continue;
                    addHostEvent(HostEventKind::File, relative,
                                 QStringLiteral("%1 %2").arg(FsWatch::eventTypeName(event.type), relative));
                }
            });
    m_storeMonitor->start({m_store->config().storeDir});
    connect(m_store, &Transfer::UploadStore::uploadFinished, this,
            [this](const QString &id, UploadState state, const QString &detail) {
                addHostEvent(state == UploadState::Stored ? HostEventKind::UploadStored : HostEventKind::UploadRejected,
                             id, QStringLiteral("upload %1 %2: %3").arg(id, Transfer::uploadStateName(state), detail));
                onUploadFinished(id);
            });
    return true;
}

QList<ProfileInfo> RunManager::profiles() const
{
    QList<ProfileInfo> list;
    for (const TrainingProfile &profile : m_profiles)
        list.append(profile.info());
    return list;
}

const RunInfo *RunManager::find(const QString &id) const
{
    const auto it = m_runs.constFind(id);
    return it == m_runs.cend() ? nullptr : &*it;
}

QList<RunInfo> RunManager::runs() const
{
    QList<RunInfo> list = m_runs.values();
    std::sort(list.begin(), list.end(), [](const RunInfo &a, const RunInfo &b) { return a.created > b.created; });
    return list;
}

QString RunManager::runPath(const QString &id) const
{
    return QDir(m_config.runsDir).filePath(id);
}

bool RunManager::resolveUploads(const TrainingProfile &profile, RunInfo *run, CreateFailure *failure,
                                QString *error) const
{
    const auto refuse = [failure, error](CreateFailure why, const QString &message) {
        *failure = why;
        *error = message;
        return false;
    };
    const auto &records = m_store->records();
    if (run->uploads.isEmpty()) {
        for (const UploadRecord &record : records) {
            if (record.dataset == run->dataset && record.replacedBy.isEmpty() && record.state != UploadState::Rejected)
                run->uploads.append(record.id);
        }
        if (run->uploads.isEmpty())
            return refuse(CreateFailure::BadRequest, QStringLiteral("no upload of dataset \"%1\"").arg(run->dataset));
        run->uploads.sort();
    }
    if (profile.plaintext == PlaintextMode::Stream && run->uploads.size() != 1)
        return refuse(CreateFailure::BadRequest, u"a stream profile trains on exactly one file"_s);
    for (const QString &id : std::as_const(run->uploads)) {
        const auto it = records.constFind(id);
        if (it == records.cend())
            return refuse(CreateFailure::BadRequest, QStringLiteral("no such upload %1").arg(id));
        if (profile.plaintext != PlaintextMode::Disk && !Crypto::hasSecret(passphraseFor(*it)))
            return refuse(CreateFailure::Conflict,
                          QStringLiteral("profile %1 decrypts at run time, but this receiver has no passphrase")
                              .arg(profile.name));
        if (it->state == UploadState::Rejected)
            return refuse(CreateFailure::Conflict, QStringLiteral("upload %1 was rejected: %2").arg(id, it->error));
        if (profile.plaintext == PlaintextMode::Disk
            && (it->storedForm == StoredForm::Ciphertext || !m_store->decrypts()))
            return refuse(CreateFailure::Conflict,
                          QStringLiteral("upload %1 is kept as ciphertext; profile %2 needs it decrypted in the store")
                              .arg(id, profile.name));
        if (profile.plaintext != PlaintextMode::Disk && it->storedForm != StoredForm::Ciphertext)
            return refuse(CreateFailure::Conflict,
                          QStringLiteral("upload %1 is stored as plaintext; profile %2 keeps plaintext in %3 only: "
                                         "send it with the run (tus metadata run-profile)")
                              .arg(id, profile.name, plaintextModeName(profile.plaintext)));
    }
    if (run->dataset.isEmpty() && run->uploads.size() == 1)
        run->dataset = records.value(run->uploads.first()).destination;
    return true;
}

std::optional<RunInfo> RunManager::create(const RunRequest &request, const QString &requestedBy, CreateFailure *failure,
                                          QString *error)
{
    const auto profile = m_profiles.constFind(request.profile);
    if (profile == m_profiles.cend()) {
        *failure = CreateFailure::UnknownProfile;
        *error = QStringLiteral("no profile \"%1\" on this host").arg(request.profile);
        return std::nullopt;
    }
    RunInfo run;
    run.id = newRunId();
    run.profile = request.profile;
    run.uploads = request.uploads;
    run.dataset = request.dataset;
    run.requestedBy = requestedBy;
    run.created = QDateTime::currentDateTimeUtc();
    if (!resolveUploads(*profile, &run, failure, error))
        return std::nullopt;
    if (!QDir().mkpath(runPath(run.id))) {
        *failure = CreateFailure::Internal;
        *error = u"cannot create the run's directory"_s;
        return std::nullopt;
    }
    QFile::setPermissions(runPath(run.id), QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
    m_runs.insert(run.id, run);
    setState(m_runs[run.id], RunState::Queued);
    pruneRecords();
    const QString id = run.id;
    QMetaObject::invokeMethod(this, &RunManager::tryStart, Qt::QueuedConnection);
    *failure = CreateFailure::None;
    return m_runs.value(id);
}

int RunManager::prepareUpload(const QString &profileName, UploadRecord *draft, QByteArray *message)
{
    const auto profile = m_profiles.constFind(profileName);
    if (profile == m_profiles.cend()) {
        *message = "no profile \"" + profileName.toUtf8() + "\" on this host";
        return 404;
    }
    if (profile->plaintext == PlaintextMode::Disk) {
        if (!m_store->decrypts()) {
            *message = "profile needs the plaintext in the store, but this receiver has no passphrase";
            return 409;
        }
        draft->storedForm = StoredForm::Plaintext;
    } else {
        if (!Crypto::hasSecret(passphraseFor(*draft))) {
            *message = "profile decrypts at run time, but this receiver has no passphrase";
            return 409;
        }
        draft->storedForm = StoredForm::Ciphertext;
    }
    return 0;
}

QString RunManager::attachUpload(const QString &profile, const UploadRecord &record, QByteArray *message)
{
    CreateFailure failure = CreateFailure::None;
    QString error;
    // The upload's creator: a paired device (its id, from the client ReceiverServer recorded) or the token.
    const QString device = Pairing::PairingService::deviceOfClient(record.client);
    const auto run
        = create(RunRequest{profile, {record.id}, {}}, device.isEmpty() ? u"token"_s : device, &failure, &error);
    if (!run) {
        *message = error.toUtf8();
        return {};
    }
    return run->id;
}

void RunManager::onUploadFinished(const QString &)
{
    tryStart();
}

void RunManager::tryStart()
{
    const auto &records = m_store->records();
    // Oldest first, so that a busy profile serves its runs in order.
    QList<QString> queued;
    for (const RunInfo &run : std::as_const(m_runs)) {
        if (run.state == RunState::Queued && !m_active.contains(run.id))
            queued.append(run.id);
    }
    std::sort(queued.begin(), queued.end(),
              [this](const QString &a, const QString &b) { return m_runs[a].created < m_runs[b].created; });
    for (const QString &id : std::as_const(queued)) {
        RunInfo &run = m_runs[id];
        bool ready = true;
        QString problem;
        for (const QString &upload : std::as_const(run.uploads)) {
            const auto it = records.constFind(upload);
            if (it == records.cend())
                problem = QStringLiteral("upload %1 is gone from the receiver").arg(upload);
            else if (it->state == UploadState::Rejected)
                problem = QStringLiteral("upload %1 was rejected: %2").arg(upload, it->error);
            else if (it->state != UploadState::Stored)
                ready = false;
        }
        if (!problem.isEmpty()) {
            finish(id, RunState::Failed, {}, problem);
            continue;
        }
        if (!ready)
            continue;
        const TrainingProfile &profile = m_profiles[run.profile];
        int running = 0;
        for (const QString &other : m_active.keys())
            running += m_runs[other].profile == run.profile ? 1 : 0;
        if (running >= profile.maxConcurrent)
            continue;
        startRun(run);
    }
}

std::optional<RunManager::Dataset> RunManager::dataset(const RunInfo &run, const TrainingProfile &profile,
                                                       QString *error) const
{
    Dataset dataset;
    const auto &records = m_store->records();
    const QDir store(m_store->config().storeDir);
    QByteArray manifest;
    for (const QString &id : run.uploads) {
        const UploadRecord record = records.value(id);
        if (record.storedPath.isEmpty() || record.plaintextSha256.isEmpty()) {
            *error = QStringLiteral("upload %1 has no verified file in the store").arg(id);
            return std::nullopt;
        }
        dataset.sources.append(store.filePath(record.storedPath));
        dataset.relatives.append(profile.plaintext == PlaintextMode::Disk ? record.storedPath : record.destination);
        dataset.sha256s.append(record.plaintextSha256);
        dataset.bytes += record.length;
        manifest += record.plaintextSha256.toLatin1() + "  " + record.destination.toUtf8() + '\n';
    }
    if (dataset.sources.size() == 1) {
        dataset.sha256 = dataset.sha256s.first();
    } else {
        Crypto::Sha256 hash;
        hash.addData(manifest);
        dataset.sha256 = QString::fromLatin1(hash.result().toHex());
    }
    return dataset;
}

Crypto::SharedSecret RunManager::passphraseFor(const UploadRecord &record) const
{
    Crypto::SharedSecret own = m_store->ownPassphrase(record.client);
    return Crypto::hasSecret(own) ? own : m_config.passphrase;
}

bool RunManager::startRun(RunInfo &run)
{
    const TrainingProfile &profile = m_profiles[run.profile];
    QString error;
    const auto data = dataset(run, profile, &error);
    if (!data) {
        finish(run.id, RunState::Failed, {}, error);
        return false;
    }
    run.datasetSha256 = data->sha256;
    const QString id = run.id;
    auto active = std::make_shared<Active>();
    m_active.insert(id, active);
    const auto datasetPath = [&data](const QString &root) {
        const QDir dir(root);
        return data->relatives.size() == 1 ? dir.filePath(data->relatives.first())
                                           : dir.filePath(commonDirectory(data->relatives));
    };
    // One device's dataset: its first upload names the passphrase for all.
    KeyProvider keys = m_keys->keyProvider(passphraseFor(m_store->records().value(run.uploads.first())));

    switch (profile.plaintext) {
    case PlaintextMode::Disk:
        launch(id, datasetPath(m_store->config().storeDir), -1);
        return true;
    case PlaintextMode::Memory: {
        if (!QFileInfo::exists(m_config.memoryDir) && QDir().mkpath(m_config.memoryDir))
            QFile::setPermissions(m_config.memoryDir,
                                  QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        qint64 free = 0;
        QString kind;
        if (!ramBacked(m_config.memoryDir, &free, &kind)) {
            finish(id, RunState::Failed, {},
                   QStringLiteral("refused: %1 is not on a RAM-backed file system (tmpfs or ramfs)")
                       .arg(m_config.memoryDir));
            return false;
        }
        if (free < data->bytes) {
            finish(id, RunState::Failed, {},
                   QStringLiteral("refused: the dataset (%1 bytes) does not fit into %2 (%3 bytes free)")
                       .arg(data->bytes)
                       .arg(m_config.memoryDir)
                       .arg(free));
            return false;
        }
        active->memoryDir = QDir(m_config.memoryDir).filePath(id);
        if (!QDir().mkpath(active->memoryDir)
            || !QFile::setPermissions(active->memoryDir,
                                      QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner)) {
            finish(id, RunState::Failed, {}, QStringLiteral("cannot create %1").arg(active->memoryDir));
            return false;
        }
        logHost(id,
                QStringLiteral("decrypting %1 file(s) into %2 (%3)")
                    .arg(data->sources.size())
                    .arg(active->memoryDir, kind));
        const QString root = active->memoryDir;
        const QString path = datasetPath(root);
        QPointer<RunManager> self(this);
        m_pool.start([self, id, keys, data = *data, root, path, stop = active->stop] {
            const ThreadPolicyScope policy(ThreadPriority::Bulk);
            QString failure;
            for (qsizetype i = 0; i < data.sources.size() && failure.isEmpty(); ++i) {
                const QString target = QDir(root).filePath(data.relatives.at(i));
                QDir().mkpath(QFileInfo(target).absolutePath());
                const int fd = ::open(QFile::encodeName(target).constData(),
                                      O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (fd < 0) {
                    failure = QStringLiteral("cannot create %1: %2").arg(target, qt_error_string(errno));
                    break;
                }
                failure = decryptInto(data.sources.at(i), keys, data.sha256s.at(i), stop,
                                      [fd](QByteArrayView plaintext) { return writeAll(fd, plaintext); });
                ::close(fd);
            }
            QMetaObject::invokeMethod(
                self.data(),
                [self, id, failure, path] {
                    if (self)
                        self->onDecrypted(id, failure, path);
                },
                Qt::QueuedConnection);
        });
        return true;
    }
    case PlaintextMode::Stream: {
        int pipeFds[2];
        if (::pipe2(pipeFds, O_CLOEXEC) != 0) {
            finish(id, RunState::Failed, {}, QStringLiteral("cannot create a pipe: %1").arg(qt_error_string(errno)));
            return false;
        }
        launch(id, u"/dev/stdin"_s, pipeFds[0]);
        if (!m_active.contains(id) || !active->process) {
            ::close(pipeFds[1]);
            return false;
        }
        QPointer<RunManager> self(this);
        // Blocking writes into the pipe: the command's reading speed paces the decryption.
        m_pool.start([self, id, keys, source = data->sources.first(), sha = data->sha256s.first(), fd = pipeFds[1],
                      stop = active->stop] {
            const ThreadPolicyScope policy(ThreadPriority::Bulk);
            bool closedEarly = false;
            QString failure = decryptInto(source, keys, sha, stop, [fd, &closedEarly](QByteArrayView plaintext) {
                closedEarly = !writeAll(fd, plaintext);
                return !closedEarly;
            });
            ::close(fd);
            if (closedEarly)
                failure.clear(); // the command stopped reading: its exit status tells
            QMetaObject::invokeMethod(
                self.data(),
                [self, id, failure] {
                    if (self)
                        self->onStreamDone(id, failure);
                },
                Qt::QueuedConnection);
        });
        return true;
    }
    }
    return false;
}

void RunManager::onDecrypted(const QString &id, const QString &error, const QString &datasetPath)
{
    const auto active = m_active.value(id);
    if (!active)
        return;
    if (active->endState) { // cancelled while decrypting
        finish(id, *active->endState, {}, active->endReason);
        return;
    }
    if (!error.isEmpty()) {
        finish(id, RunState::Failed, {}, error);
        return;
    }
    launch(id, datasetPath, -1);
}

void RunManager::onStreamDone(const QString &id, const QString &error)
{
    const auto active = m_active.value(id);
    if (!active || error.isEmpty() || error == u"stopped")
        return;
    active->streamError = error;
    logHost(id, error);
    stopProcess(id, RunState::Failed, error);
}

void RunManager::launch(const QString &id, const QString &datasetPath, int stdinFd)
{
    const auto active = m_active.value(id);
    RunInfo &run = m_runs[id];
    const TrainingProfile &profile = m_profiles[run.profile];
    int metrics[2];
    if (::pipe2(metrics, O_CLOEXEC) != 0) {
        if (stdinFd >= 0)
            ::close(stdinFd);
        finish(id, RunState::Failed, {}, QStringLiteral("cannot create a pipe: %1").arg(qt_error_string(errno)));
        return;
    }
    const int metricsWrite = metrics[1];
    active->metricsFd = metrics[0];
    ::fcntl(active->metricsFd, F_SETFL, O_NONBLOCK);

    QString workdir = profile.workdir;
    if (workdir.isEmpty()) {
        workdir = active->memoryDir.isEmpty() ? QDir(runPath(id)).filePath(u"work"_s) : active->memoryDir;
        QDir().mkpath(workdir);
    }
    // A clean environment: nothing of the receiver's (its passphrase variable included).
    QProcessEnvironment environment;
    for (auto it = profile.env.cbegin(); it != profile.env.cend(); ++it)
        environment.insert(it.key(), it.value());
    environment.insert(u"TRAINGUARD_DATASET"_s, datasetPath);
    environment.insert(u"TRAINGUARD_RUN_ID"_s, id);
    environment.insert(u"TRAINGUARD_SHA256"_s, run.datasetSha256);
    environment.insert(u"TRAINGUARD_METRICS_FD"_s, QString::number(metricsWrite));

    auto *process = new QProcess(this);
    active->process = process;
    process->setProgram(profile.command.first());
    process->setArguments(profile.command.mid(1));
    process->setProcessEnvironment(environment);
    process->setWorkingDirectory(workdir);
    process->setStandardInputFile(QProcess::nullDevice());
    // In the child between fork and exec (async-signal-safe calls only): the metrics pipe stays
    // open across exec, the stream pipe becomes stdin, and the command dies with the receiver.
    // Signals blocked or ignored on the receiver's thread (serve's StopSignals, SIGPIPE) would
    // survive exec: the command gets the defaults, so that SIGTERM reaches it.
    process->setChildProcessModifier([metricsWrite, stdinFd] {
        sigset_t none;
        ::sigemptyset(&none);
        ::pthread_sigmask(SIG_SETMASK, &none, nullptr);
        ::signal(SIGPIPE, SIG_DFL);
        ::fcntl(metricsWrite, F_SETFD, 0);
        if (stdinFd >= 0)
            ::dup2(stdinFd, STDIN_FILENO);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
    connect(process, &QProcess::readyReadStandardOutput, this, [this, id] { readOutput(id, LogStream::Stdout); });
    connect(process, &QProcess::readyReadStandardError, this, [this, id] { readOutput(id, LogStream::Stderr); });
    connect(process, &QProcess::finished, this, [this, id] { onProcessFinished(id); });
    connect(process, &QProcess::errorOccurred, this, [this, id, process](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart)
            finish(id, RunState::Failed, {},
                   QStringLiteral("cannot start the command: %1").arg(process->errorString()));
    });
    active->metricsNotifier = new QSocketNotifier(active->metricsFd, QSocketNotifier::Read, this);
    connect(active->metricsNotifier, &QSocketNotifier::activated, this, [this, id] { readMetrics(id); });

    process->start();
    ::close(metricsWrite); // the child has its copy
    if (stdinFd >= 0)
        ::close(stdinFd);
    if (!m_active.contains(id)) // failed to start, already finished
        return;
    run.started = QDateTime::currentDateTimeUtc();
    setState(run, RunState::Running);
    audit(run, u"run-started"_s);
    addHostEvent(HostEventKind::RunStarted, id,
                 QStringLiteral("run %1 (%2) started on %3").arg(id, run.profile, run.dataset));
    if (profile.timeout_s > 0) {
        active->timeout.setSingleShot(true);
        connect(&active->timeout, &QTimer::timeout, this, [this, id, seconds = profile.timeout_s] {
            stopProcess(id, RunState::Failed, QStringLiteral("timed out after %1 s").arg(seconds));
        });
        active->timeout.start(profile.timeout_s * 1000);
    }
}

void RunManager::readOutput(const QString &id, LogStream stream)
{
    const auto active = m_active.value(id);
    if (!active || !active->process)
        return;
    QByteArray *buffer = stream == LogStream::Stdout ? &active->stdoutBuffer : &active->stderrBuffer;
    active->process->setReadChannel(stream == LogStream::Stdout ? QProcess::StandardOutput : QProcess::StandardError);
    *buffer += active->process->readAll();
    takeLines(id, buffer, stream, false);
}

void RunManager::takeLines(const QString &id, QByteArray *buffer, LogStream stream, bool flush)
{
    const auto active = m_active.value(id);
    qsizetype newline = 0;
    const auto emitLine = [&](const QByteArray &bytes) {
        const QString line = QString::fromUtf8(bytes).trimmed();
        if (stream == LogStream::Host) {
            onMetricLine(id, bytes);
            return;
        }
        if (active) {
            active->lastLines.append(line);
            while (active->lastLines.size() > lastLinesKept)
                active->lastLines.removeFirst();
        }
        RunEvent event;
        event.kind = RunEventKind::Log;
        event.stream = stream;
        event.line = line;
        appendEvent(id, event);
    };
    const int limit = stream == LogStream::Host ? maxMetricLineBytes : RunEventLog::maxLineChars;
    while ((newline = buffer->indexOf('\n')) >= 0) {
        emitLine(buffer->left(qMin<qsizetype>(newline, limit)));
        buffer->remove(0, newline + 1);
    }
    // A line longer than the limit is cut here: the buffer stays bounded.
    if (buffer->size() > limit || (flush && !buffer->isEmpty())) {
        emitLine(buffer->left(limit));
        buffer->clear();
    }
}

void RunManager::readMetrics(const QString &id)
{
    const auto active = m_active.value(id);
    if (!active || active->metricsFd < 0)
        return;
    // Bounded per wake-up; the notifier fires again while more is there.
    QByteArray chunk(metricsReadBytes, Qt::Uninitialized);
    const ssize_t n = ::read(active->metricsFd, chunk.data(), static_cast<size_t>(chunk.size()));
    if (n > 0) {
        active->metricsBuffer += chunk.left(n);
        takeLines(id, &active->metricsBuffer, LogStream::Host, false);
    } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
        active->metricsNotifier->setEnabled(false); // every writer closed it
    }
}

void RunManager::onMetricLine(const QString &id, const QByteArray &line)
{
    if (line.trimmed().isEmpty())
        return;
    auto point = MetricPoint::fromJson(QJsonDocument::fromJson(line).object());
    if (!point) {
        const auto active = m_active.value(id);
        if (active && active->malformedMetrics++ < malformedMetricsReported)
            logHost(id,
                    QStringLiteral("ignored a malformed metric line (want {\"step\":N,\"key\":\"...\",\"value\":X})"));
        return;
    }
    point->time = QDateTime::currentDateTimeUtc();
    m_runs[id].lastMetrics.insert(point->key, point->value);
    RunEvent event;
    event.kind = RunEventKind::Metric;
    event.metric = *point;
    appendEvent(id, event);
}

bool RunManager::cancel(const QString &id)
{
    const auto it = m_runs.constFind(id);
    if (it == m_runs.cend() || isFinal(it->state))
        return false;
    stopProcess(id, RunState::Cancelled, u"cancelled"_s);
    return true;
}

void RunManager::stopProcess(const QString &id, RunState finalState, const QString &reason)
{
    const auto active = m_active.value(id);
    if (!active) { // queued: nothing runs yet
        finish(id, finalState, {}, reason);
        return;
    }
    if (active->endState)
        return;
    active->endState = finalState;
    active->endReason = reason;
    active->stop->store(true);
    if (!active->process)
        return; // decrypting: onDecrypted() ends it
    logHost(id, QStringLiteral("%1: sending SIGTERM").arg(reason));
    active->process->terminate();
    active->kill.setSingleShot(true);
    connect(&active->kill, &QTimer::timeout, this, [this, id] {
        const auto current = m_active.value(id);
        if (current && current->process) {
            logHost(id, QStringLiteral("still running after %1 ms: sending SIGKILL").arg(m_config.killGrace_ms));
            current->process->kill();
        }
    });
    active->kill.start(m_config.killGrace_ms);
}

void RunManager::onProcessFinished(const QString &id)
{
    const auto active = m_active.value(id);
    if (!active || !active->process)
        return;
    QProcess *process = active->process;
    readOutput(id, LogStream::Stdout);
    readOutput(id, LogStream::Stderr);
    takeLines(id, &active->stdoutBuffer, LogStream::Stdout, true);
    takeLines(id, &active->stderrBuffer, LogStream::Stderr, true);
    if (active->metricsFd >= 0) { // what the command wrote before it exited
        active->metricsNotifier->setEnabled(false);
        for (int i = 0; i < 64; ++i) {
            QByteArray chunk(metricsReadBytes, Qt::Uninitialized);
            const ssize_t n = ::read(active->metricsFd, chunk.data(), static_cast<size_t>(chunk.size()));
            if (n <= 0)
                break;
            active->metricsBuffer += chunk.left(n);
            takeLines(id, &active->metricsBuffer, LogStream::Host, false);
        }
        takeLines(id, &active->metricsBuffer, LogStream::Host, true);
    }
    const bool crashed = process->exitStatus() == QProcess::CrashExit;
    const int code = process->exitCode();
    std::optional<int> exitCode;
    if (!crashed)
        exitCode = code;
    const QString lastOutput
        = active->lastLines.isEmpty() ? QString() : u"; last output: "_s + active->lastLines.last();
    if (active->endState)
        finish(id, *active->endState, exitCode, active->endReason);
    else if (crashed)
        finish(id, RunState::Failed, {}, u"killed by a signal"_s + lastOutput);
    else if (code != 0)
        finish(id, RunState::Failed, exitCode, QStringLiteral("exit code %1").arg(code) + lastOutput);
    else
        finish(id, RunState::Succeeded, exitCode, {});
}

void RunManager::finish(const QString &id, RunState state, std::optional<int> exitCode, const QString &reason)
{
    auto it = m_runs.find(id);
    if (it == m_runs.end() || isFinal(it->state))
        return;
    if (const auto active = m_active.take(id)) {
        active->stop->store(true);
        active->timeout.stop();
        active->kill.stop();
        if (active->metricsNotifier)
            active->metricsNotifier->deleteLater();
        if (active->metricsFd >= 0)
            ::close(active->metricsFd);
        active->metricsFd = -1;
        if (active->process) {
            active->process->disconnect(this);
            if (active->process->state() != QProcess::NotRunning) {
                active->process->kill();
                active->process->waitForFinished(1000);
            }
            active->process->deleteLater();
        }
        // The plaintext leaves RAM with the run. A decryption still running stops at its next
        // segment (stop flag) and its file goes with the directory.
        if (!active->memoryDir.isEmpty() && !QDir(active->memoryDir).removeRecursively())
            qCWarning(lcTransfer) << "cannot remove" << active->memoryDir;
    }
    it->ended = QDateTime::currentDateTimeUtc();
    setState(*it, state, exitCode, reason);
    m_logs.remove(id);
    audit(*it, u"run-ended"_s);
    addHostEvent(HostEventKind::RunEnded, id,
                 QStringLiteral("run %1 (%2) %3%4")
                     .arg(id, it->profile, runStateName(state), reason.isEmpty() ? QString() : u": "_s + reason));
    emit runFinished(*it);
    QMetaObject::invokeMethod(this, &RunManager::tryStart, Qt::QueuedConnection);
}

void RunManager::setState(RunInfo &run, RunState state, std::optional<int> exitCode, const QString &reason)
{
    run.state = state;
    run.exitCode = exitCode;
    run.reason = reason;
    if (isFinal(state) && !run.ended.isValid())
        run.ended = QDateTime::currentDateTimeUtc();
    RunEvent event;
    event.kind = RunEventKind::State;
    event.state = state;
    event.exitCode = exitCode;
    event.reason = reason;
    appendEvent(run.id, event);
    persist(run);
}

void RunManager::logHost(const QString &id, const QString &line)
{
    RunEvent event;
    event.kind = RunEventKind::Log;
    event.stream = LogStream::Host;
    event.line = line;
    appendEvent(id, event);
}

void RunManager::appendEvent(const QString &id, RunEvent event)
{
    auto &log = m_logs[id];
    if (!log) {
        log = std::make_shared<RunEventLog>(QDir(runPath(id)).filePath(u"events.jsonl"_s), m_config.maxLogBytes);
        QString error;
        if (!log->open(&error)) {
            qCWarning(lcTransfer).noquote() << error;
            m_logs.remove(id);
            return;
        }
    }
    event.time = QDateTime::currentDateTimeUtc();
    if (!log->append(event) && event.kind != RunEventKind::State)
        return;
    m_runs[id].lastEventId = log->lastId();
    emit runEventAppended(id);
}

bool RunManager::persist(const RunInfo &run)
{
    QSaveFile file(QDir(runPath(run.id)).filePath(u"run.json"_s));
    if (!file.open(QIODevice::WriteOnly)) {
        qCWarning(lcTransfer) << "cannot save run" << run.id << file.errorString();
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    file.write(QJsonDocument(run.toJson()).toJson(QJsonDocument::Compact));
    return file.commit();
}

void RunManager::audit(const RunInfo &run, const QString &what)
{
    QJsonObject entry{{u"time"_s, QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                      {u"event"_s, what},
                      {u"run"_s, run.id},
                      {u"profile"_s, run.profile},
                      {u"requested_by"_s, run.requestedBy},
                      {u"dataset"_s, run.dataset},
                      {u"dataset_sha256"_s, run.datasetSha256},
                      {u"state"_s, runStateName(run.state)}};
    if (run.exitCode)
        entry.insert(u"exit_code"_s, *run.exitCode);
    if (!run.reason.isEmpty())
        entry.insert(u"reason"_s, run.reason);
    QFile log(QDir(m_config.runsDir).filePath(u"audit.jsonl"_s));
    if (!log.open(QIODevice::WriteOnly | QIODevice::Append)) {
        qCWarning(lcTransfer) << "cannot write the run audit log:" << log.errorString();
        return;
    }
    log.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    log.write(QJsonDocument(entry).toJson(QJsonDocument::Compact) + '\n');
    qCInfo(lcTransfer).noquote() << "run" << run.id << what << run.profile << runStateName(run.state);
}

void RunManager::pruneRecords()
{
    if (m_runs.size() <= m_config.maxRuns)
        return;
    QList<RunInfo> finals;
    for (const RunInfo &run : std::as_const(m_runs)) {
        if (isFinal(run.state))
            finals.append(run);
    }
    std::sort(finals.begin(), finals.end(), [](const RunInfo &a, const RunInfo &b) { return a.created < b.created; });
    for (qsizetype i = 0; i < finals.size() && m_runs.size() > m_config.maxRuns; ++i) {
        QDir(runPath(finals.at(i).id)).removeRecursively();
        m_runs.remove(finals.at(i).id);
    }
}

void RunManager::addHostEvent(HostEventKind kind, const QString &subject, const QString &text)
{
    m_hostEvents.push_back(HostEvent{m_nextHostEventId++, kind, QDateTime::currentDateTimeUtc(), subject, text});
    while (m_hostEvents.size() > static_cast<std::size_t>(maxHostEvents))
        m_hostEvents.pop_front();
    emit hostEventAdded();
}

QList<HostEvent> RunManager::hostEventsAfter(qint64 afterId, int max) const
{
    QList<HostEvent> events;
    for (const HostEvent &event : m_hostEvents) {
        if (event.id > afterId && events.size() < max)
            events.append(event);
    }
    return events;
}

std::shared_ptr<Transfer::HttpBodySource> RunManager::eventStream(const QString &id, qint64 afterId)
{
    if (!m_runs.contains(id))
        return {};
    return std::make_shared<RunEventStream>(this, id, QDir(runPath(id)).filePath(u"events.jsonl"_s), afterId);
}

std::shared_ptr<Transfer::HttpBodySource> RunManager::hostEventStream(qint64 afterId)
{
    return std::make_shared<HostEventStream>(this, afterId);
}

} // namespace TrainGuard::Runs
