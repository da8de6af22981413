// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/transfer/StoragePath.h"

#include <QStringList>

namespace TrainGuard::Transfer {

bool StoragePath::isSafeComponent(const QString &component)
{
    // A leading dot hides a name and would reach the receiver's own entries
    // (.trainguard-spool, temporary files); 255 bytes is NAME_MAX on Linux.
    if (component.isEmpty() || component.startsWith(u'.') || component.toUtf8().size() > 255)
        return false;
    for (const QChar c : component) {
        const char16_t u = c.unicode();
        // C0, DEL and C1 controls, and line/paragraph separators would reach logs as line breaks.
        if (u < 0x20 || (u >= 0x7f && u <= 0x9f) || c == u'/' || c == u'\\' || c.category() == QChar::Other_Format
            || c.category() == QChar::Separator_Line || c.category() == QChar::Separator_Paragraph)
            return false;
    }
    return true;
}

QString StoragePath::relativeDestination(const QString &filename, const QString &relativePath, const QString &dataset,
                                         QString *error)
{
    const QString path = relativePath.isEmpty() ? filename : relativePath;
    if (path.isEmpty()) {
        *error = QStringLiteral("filename is required");
        return {};
    }
    if (path.startsWith(u'/') || (path.size() >= 2 && path.at(1) == u':')) {
        *error = QStringLiteral("absolute paths are refused");
        return {};
    }
    const QStringList components = path.split(u'/');
    if (components.size() > 64) {
        *error = QStringLiteral("path too deep");
        return {};
    }
    for (const QString &component : components) {
        if (!isSafeComponent(component)) {
            *error = QStringLiteral("unsafe path component (empty, leading dot, \"..\", control character, line "
                                    "separator, backslash or over 255 bytes)");
            return {};
        }
    }
    if (!relativePath.isEmpty() && !filename.isEmpty() && components.last() != filename) {
        *error = QStringLiteral("relativePath does not end with filename");
        return {};
    }
    if (dataset.isEmpty())
        return components.join(u'/');
    if (!isSafeComponent(dataset)) {
        *error = QStringLiteral("unsafe dataset name");
        return {};
    }
    return dataset + u'/' + components.join(u'/');
}

} // namespace TrainGuard::Transfer
