// SPDX-License-Identifier: GPL-3.0-or-later
// trainguard-cli encrypt / decrypt: the STE1 envelope on files or pipes.
#include "cli/CliSupport.h"
#include "cli/Commands.h"
#include "cli/PassphraseInput.h"
#include "core/crypto/AsyncDeviceWriter.h"
#include "core/crypto/MasterKey.h"
#include "core/crypto/Ste1Decryptor.h"
#include "core/crypto/Ste1Encryptor.h"
#include "core/crypto/Ste1Header.h"

#include <QCommandLineParser>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>

#include <unistd.h>

#include <memory>
#include <optional>
#include <utility>

namespace TrainGuard::Cli {

namespace {

using namespace TrainGuard::Crypto;

const QString StdStream = QStringLiteral("-");

// Opens IN ("-": stdin) for reading.
std::unique_ptr<QFile> openInput(const QString &path, QString *error)
{
    auto file = std::make_unique<QFile>(path == StdStream ? QString() : path);
    const bool opened = path == StdStream ? file->open(STDIN_FILENO, QIODevice::ReadOnly | QIODevice::Unbuffered)
                                          : file->open(QIODevice::ReadOnly | QIODevice::Unbuffered);
    if (!opened) {
        *error = QStringLiteral("cannot open %1: %2").arg(path, file->errorString());
        return nullptr;
    }
    return file;
}

// OUT ("-": stdout). A file is written to a temporary beside it and renamed by commit() only
// when everything succeeded, so a failure leaves no output file.
class Output
{
public:
    explicit Output(const QString &path)
        : m_path(path)
    {
        if (path == StdStream)
            m_stdout = std::make_unique<QFile>();
        else
            m_saveFile = std::make_unique<QSaveFile>(path);
    }

    bool open(QString *error)
    {
        const bool opened = m_stdout ? m_stdout->open(STDOUT_FILENO, QIODevice::WriteOnly | QIODevice::Unbuffered)
                                     : m_saveFile->open(QIODevice::WriteOnly | QIODevice::Unbuffered);
        if (!opened)
            *error = QStringLiteral("cannot write %1: %2").arg(m_path, device().errorString());
        return opened;
    }

    QIODevice &device() { return m_stdout ? static_cast<QIODevice &>(*m_stdout) : *m_saveFile; }

    bool commit(QString *error)
    {
        if (m_stdout)
            return true;
        if (!m_saveFile->commit()) {
            *error = QStringLiteral("cannot write %1: %2").arg(m_path, m_saveFile->errorString());
            return false;
        }
        return true;
    }

    void discard()
    {
        if (m_saveFile)
            m_saveFile->cancelWriting(); // the destructor then removes the temporary file
    }

    // Commits OUT if `status` is ok, else discards it; the exit code of `command`.
    int finish(const QString &command, const Ste1Status &status)
    {
        if (!status.ok()) {
            discard();
            return failure(command, status.message);
        }
        QString error;
        if (!commit(&error))
            return failure(command, error);
        return ExitOk;
    }

private:
    QString m_path;
    std::unique_ptr<QFile> m_stdout;
    std::unique_ptr<QSaveFile> m_saveFile;
};

struct Paths {
    QString in;
    QString out;
};

// Parses the command line and takes IN and OUT from it; unset: exit with *exitCode.
std::optional<Paths> parsePaths(QCommandLineParser &parser, const QStringList &arguments, int *exitCode)
{
    if (parseSubcommand(parser, arguments, exitCode) == ParseResult::Exit)
        return std::nullopt;
    const QStringList positional = parser.positionalArguments();
    if (positional.size() != 2) {
        *exitCode = usageError(parser, QStringLiteral("expected IN and OUT"));
        return std::nullopt;
    }
    Paths paths{positional.at(0), positional.at(1)};
    if (paths.in != StdStream && paths.out != StdStream
        && QFileInfo(paths.in).absoluteFilePath() == QFileInfo(paths.out).absoluteFilePath()) {
        *exitCode = usageError(parser, QStringLiteral("IN and OUT must differ"));
        return std::nullopt;
    }
    return paths;
}

// IN opened, then the passphrase read: a bad IN is reported without prompting first.
struct Source {
    std::unique_ptr<QFile> input;
    PassphraseResult passphrase;
};

std::optional<Source> openSource(const QCommandLineParser &parser, const QString &command, const QString &inPath,
                                 const QCommandLineOption &passphraseFile, Confirmation confirmation, int *exitCode)
{
    QString error;
    Source source{openInput(inPath, &error), {}};
    if (!source.input) {
        *exitCode = failure(command, error);
        return std::nullopt;
    }
    source.passphrase = readPassphrase(parser.value(passphraseFile), confirmation);
    if (!source.passphrase.passphrase) {
        *exitCode = passphraseFailure(parser, command, source.passphrase);
        return std::nullopt;
    }
    return source;
}

std::optional<quint32> unsignedOption(const QCommandLineParser &parser, const QCommandLineOption &option,
                                      quint32 defaultValue, quint32 minimum, quint32 maximum, int *exitCode)
{
    if (!parser.isSet(option))
        return defaultValue;
    bool ok = false;
    const quint32 value = parser.value(option).toUInt(&ok);
    if (!ok || value < minimum || value > maximum) {
        *exitCode = usageError(parser,
                               QStringLiteral("--%1 must be an integer in %2..%3")
                                   .arg(option.names().constFirst())
                                   .arg(minimum)
                                   .arg(maximum));
        return std::nullopt;
    }
    return value;
}

} // namespace

int runEncrypt(const QStringList &arguments)
{
    const QString command = QStringLiteral("encrypt");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Encrypts IN into the STE1 envelope OUT (AES-256-GCM, docs/FORMAT.md). '-' is stdin/stdout.\n"
                       "A failure leaves no OUT file."));
    const QCommandLineOption passphraseFile = passphraseFileOption();
    const QCommandLineOption iterationsOption(
        QStringLiteral("iterations"), QStringLiteral("PBKDF2 iterations (default 600000)."), QStringLiteral("n"));
    const QCommandLineOption segmentOption(QStringLiteral("segment-size"),
                                           QStringLiteral("Plaintext bytes per segment (default 1048576)."),
                                           QStringLiteral("bytes"));
    parser.addOptions({passphraseFile, iterationsOption, segmentOption});
    parser.addPositionalArgument(QStringLiteral("IN"), QStringLiteral("Plaintext file, or '-' for stdin."));
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("Envelope to write, or '-' for stdout."));
    int exitCode = ExitOk;
    const std::optional<Paths> paths = parsePaths(parser, arguments, &exitCode);
    if (!paths)
        return exitCode;
    const std::optional<quint32> iterations
        = unsignedOption(parser, iterationsOption, MasterKey::DefaultIterations, MasterKey::MinIterations,
                         MasterKey::MaxIterations, &exitCode);
    if (!iterations)
        return exitCode;
    const std::optional<quint32> segmentSize
        = unsignedOption(parser, segmentOption, Ste1Header::DefaultSegmentSize, Ste1Header::MinSegmentSize,
                         Ste1Header::MaxSegmentSize, &exitCode);
    if (!segmentSize)
        return exitCode;

    std::optional<Source> source
        = openSource(parser, command, paths->in, passphraseFile, Confirmation::Twice, &exitCode);
    if (!source)
        return exitCode;

    // The CLI has no profile: a fresh KDF salt per file.
    const MasterKey key
        = MasterKey::derive(source->passphrase.passphrase->rawByteArray(), MasterKey::generateKdfSalt(), *iterations);
    source->passphrase.passphrase.reset();
    if (!key.isValid())
        return failure(command, QStringLiteral("key derivation failed"));
    Ste1Encryptor encryptor(key, *segmentSize);
    if (!encryptor.isValid())
        return failure(command, QStringLiteral("encryption setup failed"));

    Output output(paths->out);
    QString error;
    if (!output.open(&error))
        return failure(command, error);
    return output.finish(command, encryptor.encryptDevice(*source->input, output.device()));
}

int runDecrypt(const QStringList &arguments)
{
    const QString command = QStringLiteral("decrypt");
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Verifies and decrypts the STE1 envelope IN into OUT. '-' is stdin/stdout.\n"
                       "OUT appears only once the last segment has verified; to stdout, verified segments are\n"
                       "written as they verify and a failure is reported at the end (exit 1)."));
    const QCommandLineOption passphraseFile = passphraseFileOption();
    parser.addOption(passphraseFile);
    parser.addPositionalArgument(QStringLiteral("IN"), QStringLiteral("Envelope file, or '-' for stdin."));
    parser.addPositionalArgument(QStringLiteral("OUT"), QStringLiteral("Plaintext to write, or '-' for stdout."));
    int exitCode = ExitOk;
    const std::optional<Paths> paths = parsePaths(parser, arguments, &exitCode);
    if (!paths)
        return exitCode;

    std::optional<Source> source
        = openSource(parser, command, paths->in, passphraseFile, Confirmation::Once, &exitCode);
    if (!source)
        return exitCode;

    Output output(paths->out);
    QString error;
    if (!output.open(&error))
        return failure(command, error);
    // Plaintext is written on a thread of its own, overlapping with decryption, and is
    // decrypted straight into the writer's buffers (no copy).
    std::unique_ptr<AsyncDeviceWriter> writer;
    Ste1Decryptor *decryptorPointer = nullptr;
    char *pending = nullptr; // the writer buffer being decrypted into
    const auto ensureWriter = [&] {
        if (!writer)
            writer = std::make_unique<AsyncDeviceWriter>(
                output.device(), decryptorPointer->header()->segmentSize(),
                AsyncDeviceWriter::depthFor(decryptorPointer->header()->segmentSize()));
    };
    Ste1Decryptor decryptor(
        [&passphrase = source->passphrase](const QByteArray &kdfSalt, quint32 iterations) -> std::optional<MasterKey> {
            if (!passphrase.passphrase)
                return std::nullopt; // derived once per file: a second request is a malformed envelope
            MasterKey key = MasterKey::derive(passphrase.passphrase->rawByteArray(), kdfSalt, iterations);
            passphrase.passphrase.reset(); // derived once per file
            return key;
        },
        [&](quint64, QByteArrayView plaintext) {
            char *buffer = std::exchange(pending, nullptr);
            return writer->submit(buffer, plaintext.size()); // an empty plaintext gives the buffer back
        });
    decryptorPointer = &decryptor;
    decryptor.setPlaintextTarget([&]() -> char * {
        ensureWriter();
        if (!pending) // else: reused after a segment that failed to verify
            pending = writer->acquire();
        return pending;
    });
    Ste1Status status = decryptor.decryptDevice(*source->input);
    if (writer && !writer->finish() && (status.ok() || status.error == Ste1Error::OutputRejected))
        status = Ste1Status::failure(Ste1Error::Io,
                                     QStringLiteral("cannot write %1: %2").arg(paths->out, writer->errorString()));
    return output.finish(command, status);
}

} // namespace TrainGuard::Cli
