#include "core/transfer/StoragePath.h"

#include <QStringList>

namespace TrainGuard::Transfer {

bool StoragePath::isSafeComponent(const QString &component)
{
    if (component.isEmpty() || component == u"." || component == u".." || component.size() > 255)
        return false;
    for (const QChar c : component) {
        if (c.unicode() < 0x20 || c.unicode() == 0x7f || c == u'/' || c == u'\\' || c.category() == QChar::Other_Format)
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
            *error = QStringLiteral("unsafe path component (empty, \".\", \"..\", control character or backslash)");
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
