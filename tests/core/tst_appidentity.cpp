// SPDX-License-Identifier: GPL-3.0-or-later
#include "core/AppIdentity.h"
#include "core/Logging.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

class TestAppIdentity : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        QVERIFY(m_home.isValid());
        qputenv("XDG_CONFIG_HOME", m_home.filePath(QStringLiteral("config")).toLocal8Bit());
        qputenv("XDG_DATA_HOME", m_home.filePath(QStringLiteral("data")).toLocal8Bit());
        TrainGuard::applyApplicationIdentity();
    }

    void settingsLandInXdgConfigHome()
    {
        QSettings settings;
        settings.setValue(QStringLiteral("probe"), 1);
        settings.sync();
        QCOMPARE(settings.status(), QSettings::NoError);
        QCOMPARE(settings.fileName(), m_home.filePath(QStringLiteral("config/TrainGuard/trainguard.conf")));
        QVERIFY(QFileInfo::exists(settings.fileName()));
    }

    void appDataDirIsPrivateAndUnderXdgDataHome()
    {
        const QString dir = TrainGuard::appDataDir();
        QCOMPARE(dir, m_home.filePath(QStringLiteral("data/TrainGuard/trainguard")));
        const QFileInfo info(dir);
        QVERIFY(info.isDir());
        QCOMPARE(info.permissions() & (QFileDevice::ReadGroup | QFileDevice::ReadOther | QFileDevice::WriteOther),
                 QFileDevice::Permissions());
    }

    void loggingCategoriesAreNamed_data()
    {
        QTest::addColumn<QString>("actual");
        QTest::addColumn<QString>("expected");
        QTest::newRow("crypto") << QString::fromLatin1(lcCrypto().categoryName())
                                << QStringLiteral("trainguard.crypto");
        QTest::newRow("transfer") << QString::fromLatin1(lcTransfer().categoryName())
                                  << QStringLiteral("trainguard.transfer");
        QTest::newRow("capture") << QString::fromLatin1(lcCapture().categoryName())
                                 << QStringLiteral("trainguard.capture");
        QTest::newRow("fswatch") << QString::fromLatin1(lcFsWatch().categoryName())
                                 << QStringLiteral("trainguard.fswatch");
    }

    void loggingCategoriesAreNamed()
    {
        QFETCH(QString, actual);
        QFETCH(QString, expected);
        QCOMPARE(actual, expected);
    }

private:
    QTemporaryDir m_home;
};

QTEST_GUILESS_MAIN(TestAppIdentity)
#include "tst_appidentity.moc"
