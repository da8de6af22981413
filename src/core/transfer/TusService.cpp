// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/TusService.h"

#include "core/transfer/BearerToken.h"
#include "core/transfer/StoragePath.h"
#include "core/transfer/UploadRunHook.h"
#include "core/transfer/UploadStore.h"

#include <QFile>
#include <QJsonDocument>
#include <QRegularExpression>

#include <openssl/evp.h>

#include <memory>

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace TrainGuard::Transfer {

namespace {

HttpResponse tusResponse(int status, const QByteArray &message = {})
{
    HttpResponse response = message.isEmpty() ? HttpResponse{status, {}, {}, {}} : HttpResponse::text(status, message);
    response.set("Tus-Resumable", "1.0.0");
    return response;
}

RouteResult answer(HttpResponse response)
{
    RouteResult result;
    result.response = std::move(response);
    return result;
}

RouteResult refuse(int status, const QByteArray &message)
{
    return answer(tusResponse(status, message));
}

bool isLowerHex(const QString &text, int length)
{
    static const QRegularExpression pattern(QStringLiteral("^[0-9a-f]+$"));
    return text.size() == length && pattern.match(text).hasMatch();
}

// Upload-Metadata: comma-separated "key base64(value)" pairs.
bool parseMetadata(const QByteArray &header, QHash<QString, QString> *out)
{
    if (header.trimmed().isEmpty())
        return true;
    const QList<QByteArray> pairs = header.split(',');
    for (const QByteArray &pair : pairs) {
        const QList<QByteArray> parts = pair.trimmed().split(' ');
        if (parts.isEmpty() || parts.size() > 2 || parts.first().isEmpty())
            return false;
        QByteArray value;
        if (parts.size() == 2) {
            auto decoded = QByteArray::fromBase64Encoding(parts.at(1), QByteArray::AbortOnBase64DecodingErrors);
            if (!decoded)
                return false;
            value = *decoded;
        }
        out->insert(QString::fromLatin1(parts.first()), QString::fromUtf8(value));
    }
    return true;
}

// Streams one PATCH body into the spool file. With Upload-Checksum the bytes
// are hashed on the way and dropped again on a mismatch (tus checksum ext.).
class PatchExchange : public HttpExchange
{
public:
    PatchExchange(UploadStore *store, const QString &id, qint64 expectedBytes, QByteArray checksum)
        : m_store(store)
        , m_id(id)
        , m_expectedBytes(expectedBytes)
        , m_checksum(std::move(checksum))
        , m_file(store->spoolPath(id))
    {
    }

    bool start(QString *error)
    {
        UploadRecord *record = m_store->find(m_id);
        // O_NOFOLLOW: a link planted in place of the spool file is not written through.
        const int fd
            = ::open(QFile::encodeName(m_file.fileName()).constData(), O_WRONLY | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) {
            *error = qt_error_string(errno);
            return false;
        }
        if (!record
            || !m_file.open(fd, QIODevice::WriteOnly | QIODevice::Append | QIODevice::Unbuffered,
                            QFileDevice::AutoCloseHandle)) {
            *error = m_file.errorString();
            ::close(fd);
            return false;
        }
        m_startOffset = record->offset;
        record->patchInProgress = true;
        if (!m_checksum.isEmpty()) {
            m_hash.reset(EVP_MD_CTX_new());
            EVP_DigestInit_ex(m_hash.get(), EVP_sha256(), nullptr);
        }
        return true;
    }

    bool consume(QByteArrayView data, HttpResponse *failure) override
    {
        UploadRecord *record = m_store->find(m_id);
        if (!record) {
            *failure = tusResponse(404, "upload deleted");
            return false;
        }
        if (m_written + data.size() > m_expectedBytes) {
            // Without a checksum the bytes written so far were reported final
            // (advance) and may be verified already: they must stay.
            end(record, m_hash ? Outcome::Discard : Outcome::Keep);
            *failure = tusResponse(413, "body exceeds Upload-Length");
            return false;
        }
        if (m_hash)
            EVP_DigestUpdate(m_hash.get(), data.data(), static_cast<size_t>(data.size()));
        const qint64 n = m_file.write(data.data(), data.size());
        if (n > 0) {
            m_written += n;
            record->offset = m_startOffset + m_written;
        }
        if (!m_hash) // without a checksum, written bytes are final
            m_store->advance(m_id, record->offset);
        if (n != data.size()) {
            // Full disk or I/O error: tus keeps what was written.
            end(record, m_hash ? Outcome::Discard : Outcome::Keep);
            *failure = tusResponse(507, "cannot write the upload (disk full?)");
            return false;
        }
        return true;
    }

    HttpResponse finish() override
    {
        UploadRecord *record = m_store->find(m_id);
        if (!record)
            return tusResponse(404, "upload deleted");
        if (m_hash) {
            unsigned char digest[EVP_MAX_MD_SIZE];
            unsigned int size = 0;
            EVP_DigestFinal_ex(m_hash.get(), digest, &size);
            m_hash.reset();
            if (QByteArray(reinterpret_cast<const char *>(digest), static_cast<qsizetype>(size)) != m_checksum) {
                end(record, Outcome::Discard);
                return tusResponse(460, "Upload-Checksum does not match the body");
            }
        }
        end(record, Outcome::Keep);
        m_store->advance(m_id, record->offset);
        HttpResponse response = tusResponse(204);
        response.set("Upload-Offset", QByteArray::number(record->offset));
        if (record->offset == record->length)
            m_store->finalize(m_id);
        return response;
    }

    void abort() override
    {
        if (UploadRecord *record = m_store->find(m_id))
            end(record, m_hash ? Outcome::Discard : Outcome::Keep);
    }

private:
    enum class Outcome { Keep, Discard };

    void end(UploadRecord *record, Outcome outcome)
    {
        if (m_ended)
            return;
        m_ended = true;
        if (outcome == Outcome::Discard)
            m_file.resize(m_startOffset);
        m_file.close();
        record->offset = QFile(m_store->spoolPath(m_id)).size();
        record->patchInProgress = false;
        m_store->persist(*record);
    }

    struct HashDeleter {
        void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
    };

    UploadStore *m_store;
    QString m_id;
    qint64 m_expectedBytes;
    QByteArray m_checksum;
    QFile m_file;
    qint64 m_startOffset = 0;
    qint64 m_written = 0;
    std::unique_ptr<EVP_MD_CTX, HashDeleter> m_hash;
    bool m_ended = false;
};

} // namespace

TusService::TusService(UploadStore *store, QByteArray token)
    : m_store(store)
    , m_token(std::move(token))
{
}

RouteResult TusService::route(const HttpRequestHead &head)
{
    const QByteArray path = head.path();
    if (path == "/health") {
        if (head.method != "GET" && head.method != "HEAD")
            return answer(HttpResponse::text(405, "method not allowed"));
        return answer(HttpResponse::json(200, R"({"status":"ok","tus":"1.0.0"})"));
    }
    if (path != "/files" && path != "/files/" && !path.startsWith("/files/"))
        return answer(HttpResponse::text(404, "not found"));

    if (std::optional<RouteResult> refused = refuseUnauthorized(head))
        return std::move(*refused);
    RouteResult result = routeAuthorized(head);
    result.credential = Credential::Accepted;
    return result;
}

RouteResult TusService::routeAuthenticated(const HttpRequestHead &head)
{
    RouteResult result = routeAuthorized(head);
    result.credential = Credential::Accepted;
    return result;
}

std::optional<RouteResult> TusService::refuseUnauthorized(const HttpRequestHead &head) const
{
    const QByteArray authorization = head.header("Authorization");
    const QByteArray presented = authorization.startsWith("Bearer ") ? authorization.mid(7).trimmed() : QByteArray();
    if (BearerToken::matches(m_token, presented))
        return std::nullopt;
    HttpResponse response = tusResponse(401, "missing or wrong bearer token");
    response.set("WWW-Authenticate", "Bearer realm=\"trainguard\"");
    RouteResult refused = answer(response);
    refused.credential = Credential::Refused;
    return refused;
}

RouteResult TusService::routeAuthorized(const HttpRequestHead &head)
{
    const QByteArray path = head.path();
    if (head.method == "OPTIONS")
        return options();
    if (head.header("Tus-Resumable") != tusVersion) {
        HttpResponse response = tusResponse(412, "Tus-Resumable 1.0.0 required");
        response.set("Tus-Version", "1.0.0");
        return answer(response);
    }

    const QByteArray rest = path.mid(7); // after "/files/"
    if (path == "/files" || path == "/files/") {
        if (head.method == "POST")
            return create(head);
        return refuse(405, "method not allowed");
    }
    if (rest.contains('/') || rest.isEmpty())
        return refuse(404, "not found");
    const QString id = QString::fromLatin1(rest);
    if (!m_store->find(id))
        return refuse(404, "no such upload");
    if (head.method == "HEAD")
        return headUpload(id);
    if (head.method == "PATCH")
        return patch(head, id);
    if (head.method == "DELETE")
        return remove(id);
    if (head.method == "GET")
        return status(id);
    return refuse(405, "method not allowed");
}

RouteResult TusService::options()
{
    HttpResponse response = tusResponse(204);
    response.set("Tus-Version", "1.0.0");
    response.set("Tus-Extension", "creation,termination,checksum");
    response.set("Tus-Checksum-Algorithm", "sha256");
    response.set("Tus-Max-Size", QByteArray::number(m_store->config().maxUploadBytes));
    return answer(response);
}

RouteResult TusService::create(const HttpRequestHead &head)
{
    if (head.hasBody())
        return refuse(400, "creation-with-upload is not supported; send the data with PATCH");
    if (head.hasHeader("Upload-Defer-Length"))
        return refuse(400, "Upload-Defer-Length is not supported");
    bool ok = false;
    const qint64 length = head.header("Upload-Length").toLongLong(&ok);
    if (!ok || length < 0)
        return refuse(400, "Upload-Length required");
    if (length > m_store->config().maxUploadBytes) {
        HttpResponse response = tusResponse(413, "Upload-Length exceeds Tus-Max-Size");
        response.set("Tus-Max-Size", QByteArray::number(m_store->config().maxUploadBytes));
        return answer(response);
    }
    const QByteArray metadataHeader = head.header("Upload-Metadata");
    QHash<QString, QString> metadata;
    if (!parseMetadata(metadataHeader, &metadata))
        return refuse(400, "malformed Upload-Metadata");
    UploadRecord draft;
    draft.length = length;
    draft.filename = metadata.value(QStringLiteral("filename"));
    draft.relativePath = metadata.value(QStringLiteral("relativePath"));
    draft.dataset = metadata.value(QStringLiteral("dataset"));
    draft.expectedSha256 = metadata.value(QStringLiteral("sha256"));
    draft.metadataHeader = metadataHeader;
    draft.client = QString::fromLatin1(head.peer);
    const QString replace = metadata.value(QStringLiteral("replace"));
    if (!replace.isEmpty() && replace != u"1" && replace != u"0")
        return refuse(400, "replace metadata must be 1 or 0");
    draft.existing = replace == u"1" ? ExistingTarget::Replace : ExistingTarget::Refuse;
    if (draft.filename.isEmpty())
        return refuse(400, "Upload-Metadata must name the file (filename)");
    if (!draft.expectedSha256.isEmpty() && !isLowerHex(draft.expectedSha256, 64))
        return refuse(400, "sha256 metadata must be 64 lowercase hex digits");
    QString error;
    draft.destination = StoragePath::relativeDestination(draft.filename, draft.relativePath, draft.dataset, &error);
    if (draft.destination.isEmpty())
        return refuse(400, "refused file name: " + error.toUtf8());
    // Optional hint (not part of tus): the sender's KDF salt and iterations,
    // public values that are also in the STE1 header. Deriving now overlaps
    // PBKDF2 with the sender's own derivation instead of the upload.
    const QByteArray kdfSalt = QByteArray::fromHex(metadata.value(QStringLiteral("kdfSalt")).toLatin1());
    const quint32 kdfIterations = metadata.value(QStringLiteral("kdfIterations")).toUInt();
    if (kdfIterations > m_store->config().maxKdfIterations)
        return refuse(400,
                      "kdfIterations exceeds this receiver's limit of "
                          + QByteArray::number(m_store->config().maxKdfIterations));
    switch (m_store->checkTarget(draft)) {
    case TargetCheck::Free:
        break;
    case TargetCheck::Exists:
        return refuse(409, "already exists in the store");
    case TargetCheck::InProgress:
        return refuse(409, "another upload to this name is in progress");
    case TargetCheck::Blocked:
        return refuse(409, "in the way in the store: a directory of this name, or a parent that is a file or a link");
    case TargetCheck::NameTooLong:
        return refuse(400, "refused file name: too long for the store's file system");
    }
    const QString runProfile = metadata.value(QStringLiteral("run-profile"));
    if (!runProfile.isEmpty()) { // train on arrival: the profile decides what the store keeps
        if (!m_runHook)
            return refuse(404, "this receiver has no training profiles");
        QByteArray message;
        if (const int status = m_runHook->prepareUpload(runProfile, &draft, &message); status != 0)
            return refuse(status, message);
    }
    if (draft.existing == ExistingTarget::Replace) { // its status will say that it replaced a file
        UploadRecord probe = draft;
        probe.existing = ExistingTarget::Refuse;
        draft.replacedFile = m_store->checkTarget(probe) == TargetCheck::Exists;
    }
    UploadRecord *record = m_store->create(draft, &error);
    if (!record)
        return refuse(500, error.toUtf8());
    if (!kdfSalt.isEmpty() && kdfIterations > 0)
        m_store->prefetchKey(draft.client, kdfSalt, kdfIterations);
    HttpResponse response = tusResponse(201);
    response.set("Location", "/files/" + record->id.toLatin1());
    response.set("Upload-Offset", "0");
    if (!runProfile.isEmpty()) {
        QByteArray message;
        const QString runId = m_runHook->attachUpload(runProfile, *record, &message);
        if (runId.isEmpty()) {
            m_store->remove(record->id);
            return refuse(409, message);
        }
        response.set("Run-Id", runId.toLatin1());
    }
    if (length == 0)
        m_store->finalize(record->id);
    return answer(response);
}

RouteResult TusService::headUpload(const QString &id)
{
    const UploadRecord *record = m_store->find(id);
    HttpResponse response = tusResponse(200);
    response.set("Upload-Offset", QByteArray::number(record->offset));
    response.set("Upload-Length", QByteArray::number(record->length));
    if (!record->metadataHeader.isEmpty())
        response.set("Upload-Metadata", record->metadataHeader);
    response.set("Cache-Control", "no-store");
    return answer(response);
}

RouteResult TusService::patch(const HttpRequestHead &head, const QString &id)
{
    UploadRecord *record = m_store->find(id);
    if (head.header("Content-Type")
            .split(';')
            .first()
            .trimmed()
            .compare("application/offset+octet-stream", Qt::CaseInsensitive)
        != 0)
        return refuse(415, "Content-Type must be application/offset+octet-stream");
    bool ok = false;
    const qint64 offset = head.header("Upload-Offset").toLongLong(&ok);
    if (!ok || offset < 0)
        return refuse(400, "Upload-Offset required");
    if (record->patchInProgress)
        return refuse(423, "another PATCH is in progress for this upload");
    if (record->state != UploadState::Receiving)
        return refuse(409, "upload is complete");
    if (offset != record->offset) {
        HttpResponse response = tusResponse(409, "Upload-Offset does not match");
        response.set("Upload-Offset", QByteArray::number(record->offset));
        return answer(response);
    }
    const qint64 remaining = record->length - record->offset;
    if (head.contentLength && static_cast<quint64>(remaining) < *head.contentLength)
        return refuse(413, "body exceeds Upload-Length");
    QByteArray checksum;
    const QByteArray checksumHeader = head.header("Upload-Checksum");
    if (!checksumHeader.isEmpty()) {
        const QList<QByteArray> parts = checksumHeader.trimmed().split(' ');
        if (parts.size() != 2 || parts.first() != "sha256")
            return refuse(400, "unsupported Upload-Checksum algorithm");
        auto decoded = QByteArray::fromBase64Encoding(parts.at(1), QByteArray::AbortOnBase64DecodingErrors);
        if (!decoded || decoded.decoded.size() != 32)
            return refuse(400, "malformed Upload-Checksum");
        checksum = *decoded;
    }
    auto exchange = std::make_unique<PatchExchange>(m_store, id, remaining, checksum);
    QString error;
    if (!exchange->start(&error))
        return refuse(500, "cannot open spool: " + error.toUtf8());
    RouteResult result;
    result.exchange = std::move(exchange);
    return result;
}

RouteResult TusService::remove(const QString &id)
{
    const UploadRecord *record = m_store->find(id);
    if (record->patchInProgress || record->state == UploadState::Verifying)
        return refuse(423, "upload is busy");
    m_store->remove(id);
    return answer(tusResponse(204));
}

RouteResult TusService::status(const QString &id)
{
    const UploadRecord *record = m_store->find(id);
    HttpResponse response = HttpResponse::json(200, QJsonDocument(record->statusJson()).toJson(QJsonDocument::Compact));
    response.set("Cache-Control", "no-store");
    response.set("Tus-Resumable", "1.0.0");
    return answer(response);
}

} // namespace TrainGuard::Transfer
