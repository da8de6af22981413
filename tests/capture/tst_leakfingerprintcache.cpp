// SPDX-License-Identifier: GPL-3.0-or-later
// LeakFingerprintCache on real files: an entry serves only an unchanged dataset (a rewrite that
// keeps the size and restores the modification time is a change), a folder's identity covers
// every file in it, and the cache holds at most MaxEntries sets, the least recently used going.
#include "core/capture/LeakFingerprintCache.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <sys/stat.h>

#include <fcntl.h>
#include <thread>

using namespace TrainGuard::Capture;

namespace {

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly | QIODevice::Truncate) && file.write(bytes) == bytes.size();
}

struct timespec modificationTime(const QString &path)
{
    struct stat status {
    };
    ::stat(QFile::encodeName(path).constData(), &status);
    return status.st_mtim;
}

bool setModificationTime(const QString &path, const struct timespec &time)
{
    const struct timespec times[2] = {time, time};
    return ::utimensat(AT_FDCWD, QFile::encodeName(path).constData(), times, 0) == 0;
}

QByteArray text(char seed)
{
    QByteArray bytes;
    for (int i = 0; i < 4000; ++i)
        bytes += char('a' + (i * 7 + seed + i / 13) % 26);
    return bytes;
}

} // namespace

class TestLeakFingerprintCache : public QObject
{
    Q_OBJECT

private slots:
    void identityIsStableForAnUnchangedFile()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("d.csv"));
        QVERIFY(writeFile(path, text(1)));
        const auto first = LeakFingerprintCache::identity(path, {});
        QVERIFY(first.has_value());
        QCOMPARE(first->size(), 32); // SHA-256
        QCOMPARE(LeakFingerprintCache::identity(path, {}), first);
        // Other build options make other sets.
        LeakFingerprintOptions options;
        options.candidateBits = 5;
        QVERIFY(LeakFingerprintCache::identity(path, options) != first);
    }

    void sameSizeRewriteWithRestoredTimeIsAChange()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("d.csv"));
        QVERIFY(writeFile(path, text(1)));
        const struct timespec written = modificationTime(path);
        const auto before = LeakFingerprintCache::identity(path, {});
        QVERIFY(before.has_value());
        // The status-change clock ticks in jiffies on some file systems: let it move on.
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        QVERIFY(writeFile(path, text(2))); // same size, other content
        QVERIFY(setModificationTime(path, written)); // as `touch -d` or `rsync -t` would
        QCOMPARE(modificationTime(path).tv_nsec, written.tv_nsec);
        QVERIFY(LeakFingerprintCache::identity(path, {}) != before);
    }

    void aFolderIsItsFiles()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("dataset"));
        QVERIFY(QDir().mkpath(folder + QStringLiteral("/sub")));
        QVERIFY(writeFile(folder + QStringLiteral("/a.csv"), text(1)));
        QVERIFY(writeFile(folder + QStringLiteral("/sub/b.csv"), text(2)));
        const auto before = LeakFingerprintCache::identity(folder, {});
        QVERIFY(before.has_value());
        QCOMPARE(LeakFingerprintCache::identity(folder, {}), before);
        QVERIFY(writeFile(folder + QStringLiteral("/sub/c.csv"), text(3))); // a file added
        const auto added = LeakFingerprintCache::identity(folder, {});
        QVERIFY(added != before);
        QVERIFY(QFile::remove(folder + QStringLiteral("/sub/c.csv")));
        QVERIFY(QFile::rename(folder + QStringLiteral("/sub/b.csv"), folder + QStringLiteral("/sub/c.csv")));
        QVERIFY(LeakFingerprintCache::identity(folder, {}) != before); // renamed
        QVERIFY(!LeakFingerprintCache::identity(dir.filePath(QStringLiteral("missing")), {}).has_value());
        QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("empty"))));
        QVERIFY(!LeakFingerprintCache::identity(dir.filePath(QStringLiteral("empty")), {}).has_value());
    }

    // The identity's walk lists what a build then reads: the build does not walk again, so a file
    // added after the listing is not part of the set (nor of the identity it is kept under).
    void identityListsTheFilesTheBuildReads()
    {
        QTemporaryDir dir;
        const QString folder = dir.filePath(QStringLiteral("dataset"));
        QVERIFY(QDir().mkpath(folder + QStringLiteral("/sub")));
        QVERIFY(writeFile(folder + QStringLiteral("/sub/b.csv"), text(2)));
        QVERIFY(writeFile(folder + QStringLiteral("/a.csv"), text(1) + text(3)));
        DatasetListing listing;
        QVERIFY(LeakFingerprintCache::identity(folder, {}, nullptr, &listing).has_value());
        QCOMPARE(listing.root, QFileInfo(folder).absoluteFilePath());
        QCOMPARE(listing.files, QStringList({QStringLiteral("a.csv"), QStringLiteral("sub/b.csv")}));
        QCOMPARE(listing.totalBytes, std::uint64_t(3 * text(1).size()));

        QVERIFY(writeFile(folder + QStringLiteral("/sub/c.csv"), text(4)));
        QString error;
        const auto listed = LeakFingerprintSet::build(folder, {}, &error, nullptr, nullptr, &listing);
        QVERIFY2(listed, qPrintable(error));
        QCOMPARE(listed->stats().files, 2);
        QCOMPARE(listed->stats().datasetBytes, listing.totalBytes);
        const auto walked = LeakFingerprintSet::build(folder, {}, &error);
        QVERIFY2(walked, qPrintable(error));
        QCOMPARE(walked->stats().files, 3);
    }

    void holdsTheMostRecentlyUsedSets()
    {
        QTemporaryDir dir;
        LeakFingerprintCache cache;
        std::vector<QByteArray> identities;
        std::vector<std::shared_ptr<const LeakFingerprintSet>> sets;
        for (int i = 0; i < int(LeakFingerprintCache::MaxEntries) + 1; ++i) {
            const QString path = dir.filePath(QStringLiteral("d%1.csv").arg(i));
            QVERIFY(writeFile(path, text(char(i))));
            QString error;
            sets.push_back(LeakFingerprintSet::build(path, {}, &error));
            QVERIFY2(sets.back(), qPrintable(error));
            identities.push_back(*LeakFingerprintCache::identity(path, {}));
        }
        for (std::size_t i = 0; i < LeakFingerprintCache::MaxEntries; ++i)
            cache.insert(identities[i], sets[i]);
        QCOMPARE(cache.size(), LeakFingerprintCache::MaxEntries);
        QCOMPARE(cache.find(identities[0]), sets[0]); // now the most recent
        cache.insert(identities.back(), sets.back()); // the least recent (1) goes
        QCOMPARE(cache.size(), LeakFingerprintCache::MaxEntries);
        QCOMPARE(cache.find(identities[1]), nullptr);
        QCOMPARE(cache.find(identities[0]), sets[0]);
        QCOMPARE(cache.find(identities.back()), sets.back());
        cache.insert(identities[0], sets[2]); // replaces, never duplicates
        QCOMPARE(cache.size(), LeakFingerprintCache::MaxEntries);
        QCOMPARE(cache.find(identities[0]), sets[2]);
        cache.clear();
        QCOMPARE(cache.size(), std::size_t(0));
    }
};

QTEST_GUILESS_MAIN(TestLeakFingerprintCache)
#include "tst_leakfingerprintcache.moc"
