// SPDX-License-Identifier: GPL-3.0-or-later
#include "gui/DemoWorkspace.h"
#include "gui/GuiResources.h"

#include <QCryptographicHash>
#include <QFile>
#include <QTemporaryDir>
#include <QTest>

using TrainGuard::Gui::DemoWorkspace;

class TestDemoWorkspace : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase() { TrainGuard::Gui::initGuiResources(); }

    void createsFolderWithTheSampleDataset()
    {
        QTemporaryDir home;
        DemoWorkspace workspace(home.filePath(QStringLiteral("a/demo")));
        QVERIFY2(workspace.ensure(), qPrintable(workspace.errorString()));
        QFile copy(workspace.sampleDatasetPath());
        QVERIFY(copy.open(QIODevice::ReadOnly));
        const QByteArray content = copy.readAll();
        QVERIFY(content.startsWith("sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,species\n"));
        QCOMPARE(content.count('\n'), 151);

        QFile original(QFINDTESTDATA("../../resources/sample/iris.csv"));
        QVERIFY(original.open(QIODevice::ReadOnly));
        QCOMPARE(content, original.readAll());
    }

    void leavesTheUsersEditsAlone()
    {
        QTemporaryDir home;
        DemoWorkspace workspace(home.path());
        QVERIFY(workspace.ensure());
        QFile edited(workspace.sampleDatasetPath());
        QVERIFY(edited.open(QIODevice::WriteOnly));
        edited.write("mine\n");
        edited.close();
        QVERIFY(workspace.ensure());
        QVERIFY(edited.open(QIODevice::ReadOnly));
        QCOMPARE(edited.readAll(), QByteArray("mine\n"));
    }
};

QTEST_GUILESS_MAIN(TestDemoWorkspace)
#include "tst_demoworkspace.moc"
