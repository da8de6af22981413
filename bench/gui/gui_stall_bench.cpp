// SPDX-License-Identifier: GPL-3.0-or-later
// GUI event-loop stall benchmark: drives the real MainWindow as a user does on first
// launch (embedded receiver, capture on lo when root), clicks Send on a large random
// dataset and records the gap between consecutive ticks of a 10 ms precise timer on the
// GUI thread from Send until the send finishes. The same figures for the idle window over
// the same duration are the baseline peer. Goal: max gap <= 50 ms.
//
// --watch files shows the Files panel during the send and deletes --burst-files files in a
// watched folder 1 s into it (from a thread of its own, as another program would): the event
// table, the alert engine and the audit log take the burst while the send runs.
//
// Every event delivery on the GUI thread that takes longer than --slow-ms is logged with
// its receiver and event type, so a stall can be attributed to the call that caused it.
#include "core/AppIdentity.h"
#include "core/capture/LeakWatch.h"
#include "core/fswatch/FsMonitor.h"
#include "core/transfer/SenderConfig.h"
#include "gui/EmbeddedReceiver.h"
#include "gui/FileEventModel.h"
#include "gui/FilesPanel.h"
#include "gui/GuiResources.h"
#include "gui/MainWindow.h"
#include "gui/OverviewPage.h"
#include "gui/TrafficPanel.h"
#include "gui/TransferPanel.h"
#include "support/IsolatedHome.h" // tests/support, header-only: see CMakeLists.txt

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QDir>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QLabel>
#include <QMetaEnum>
#include <QProcess>
#include <QPushButton>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

using namespace TrainGuard::Gui;

namespace {

constexpr qint64 GoalStall_ms = 50;
constexpr int TickInterval_ms = 10;
constexpr double GoalLeakCheckRatio = 1.3; // a checked GUI send vs the CLI's, same file and receiver

// One event delivery on the GUI thread that took long enough to matter.
struct SlowDelivery {
    qint64 at_ms = 0; // since the start of the benchmark
    qint64 duration_us = 0;
    int depth = 0; // 0: delivered by the event loop itself; >0: nested inside another
    QEvent::Type type = QEvent::None;
    QByteArray receiver; // class (objectName) of the receiver and of its parent
};

qint64 steadyNow_ns()
{
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

// Times every event delivery (queued signals, timers, socket notifiers, paints, input) so
// a stall can be attributed; the overhead is two clock reads per event.
class TimedApplication : public QApplication
{
public:
    using QApplication::QApplication;

    bool notify(QObject *receiver, QEvent *event) override
    {
        // Other threads' event loops go through notify() too; only the GUI thread is timed.
        if (QThread::currentThread() != thread() || !m_clock.isValid())
            return QApplication::notify(receiver, event);
        const QEvent::Type type = event->type(); // the event may be deleted during delivery
        const QByteArray who = describe(receiver);
        const qint64 start_ns = m_clock.nsecsElapsed();
        if (m_depth == 0)
            m_topDeliveryStart_ns.store(steadyNow_ns(), std::memory_order_relaxed);
        ++m_depth;
        const bool result = QApplication::notify(receiver, event);
        --m_depth;
        if (m_depth == 0)
            m_topDeliveryStart_ns.store(-1, std::memory_order_relaxed);
        const qint64 duration_ns = m_clock.nsecsElapsed() - start_ns;
        const qint64 duration_us = duration_ns / 1000;
        if (m_depth == 0)
            m_inEvents_ns += duration_ns;
        if (duration_us >= m_slowThreshold_us)
            m_slow.push_back({start_ns / 1'000'000, duration_us, m_depth, type, who});
        if (duration_us >= 1000 && m_recent.size() < 100'000)
            m_recent.push_back({start_ns / 1'000'000, duration_us, m_depth, type, who});
        return result;
    }

    // Start (steadyNow_ns) of the event delivery in progress, -1 between deliveries; for the sampler.
    qint64 topDeliveryStart_ns() const { return m_topDeliveryStart_ns.load(std::memory_order_relaxed); }

    // Time spent inside event deliveries started by the event loop (not nested ones).
    qint64 inEvents_ns() const { return m_inEvents_ns; }
    // Deliveries of at least 1 ms that started at or after from_ms.
    std::vector<SlowDelivery> deliveriesSince(qint64 from_ms) const
    {
        std::vector<SlowDelivery> found;
        for (auto it = m_recent.rbegin(); it != m_recent.rend() && it->at_ms + it->duration_us / 1000 >= from_ms; ++it)
            found.push_back(*it);
        return found;
    }

    void startTiming(const QElapsedTimer &clock, qint64 slowThreshold_us)
    {
        m_clock = clock;
        m_slowThreshold_us = slowThreshold_us;
    }
    std::vector<SlowDelivery> takeSlow()
    {
        m_recent.clear();
        return std::exchange(m_slow, {});
    }

private:
    static QByteArray describe(QObject *object)
    {
        // Cheap: class names are static strings; object names are short.
        QByteArray text = object->metaObject()->className();
        if (!object->objectName().isEmpty())
            text += '(' + object->objectName().toLatin1() + ')';
        if (QObject *parent = object->parent()) {
            text += " in ";
            text += parent->metaObject()->className();
            if (!parent->objectName().isEmpty())
                text += '(' + parent->objectName().toLatin1() + ')';
        }
        return text;
    }

    QElapsedTimer m_clock;
    qint64 m_slowThreshold_us = 20'000;
    int m_depth = 0;
    std::atomic<qint64> m_topDeliveryStart_ns{-1};
    qint64 m_inEvents_ns = 0;
    std::vector<SlowDelivery> m_slow;
    std::vector<SlowDelivery> m_recent;
};

qint64 threadCpu_ns()
{
    timespec now{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return qint64(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

// Time this thread spent runnable but waiting for a CPU (kernel schedstats); -1 if unavailable.
qint64 threadRunQueueWait_ns()
{
    std::FILE *file = std::fopen("/proc/thread-self/schedstat", "r");
    if (!file)
        return -1;
    unsigned long long running = 0;
    unsigned long long waiting = 0;
    const int fields = std::fscanf(file, "%llu %llu", &running, &waiting);
    std::fclose(file);
    return fields == 2 ? qint64(waiting) : -1;
}

// A long gap and what the GUI thread did in it: running its own code (CPU), inside event
// deliveries, or not running at all (preempted by other processes, or blocked).
struct GapReport {
    qint64 end_ms = 0;
    qint64 gap_us = 0;
    qint64 threadCpu_us = 0;
    qint64 runQueueWait_us = 0;
    qint64 inEvents_us = 0;
    std::vector<SlowDelivery> deliveries;
};

// Records the gaps between consecutive ticks of a 10 ms precise timer on the GUI thread.
class TickRecorder : public QObject
{
public:
    TickRecorder(TimedApplication *app, qint64 reportGap_us)
        : m_app(app)
        , m_reportGap_ns(reportGap_us * 1000)
    {
        m_timer.setTimerType(Qt::PreciseTimer);
        m_timer.setInterval(TickInterval_ms);
        connect(&m_timer, &QTimer::timeout, this, [this] { tick(); });
    }

    void start(const QElapsedTimer &clock)
    {
        m_clock = clock;
        m_gaps_ns.clear();
        m_gapEnds_ms.clear();
        m_reports.clear();
        mark();
        m_timer.start();
    }
    void stop()
    {
        m_timer.stop();
        tick(); // the gap from the last tick to the stop counts too: a stall at the end is a stall
    }
    const std::vector<qint64> &gaps_ns() const { return m_gaps_ns; }
    const std::vector<qint64> &gapEnds_ms() const { return m_gapEnds_ms; }
    const std::vector<GapReport> &reports() const { return m_reports; }

private:
    void mark()
    {
        m_last_ns = m_clock.nsecsElapsed();
        m_lastCpu_ns = threadCpu_ns();
        m_lastRunQueueWait_ns = threadRunQueueWait_ns();
        m_lastInEvents_ns = m_app->inEvents_ns();
    }
    void tick()
    {
        const qint64 now_ns = m_clock.nsecsElapsed();
        const qint64 gap_ns = now_ns - m_last_ns;
        m_gaps_ns.push_back(gap_ns);
        m_gapEnds_ms.push_back(now_ns / 1'000'000);
        if (gap_ns >= m_reportGap_ns) {
            // The tick's own delivery is still open: in-event time covers the gap's earlier deliveries.
            m_reports.push_back({now_ns / 1'000'000, gap_ns / 1000, (threadCpu_ns() - m_lastCpu_ns) / 1000,
                                 (threadRunQueueWait_ns() - m_lastRunQueueWait_ns) / 1000,
                                 (m_app->inEvents_ns() - m_lastInEvents_ns) / 1000,
                                 m_app->deliveriesSince(m_last_ns / 1'000'000)});
        }
        mark();
    }

    TimedApplication *m_app;
    qint64 m_reportGap_ns;
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_last_ns = 0;
    qint64 m_lastCpu_ns = 0;
    qint64 m_lastRunQueueWait_ns = 0;
    qint64 m_lastInEvents_ns = 0;
    std::vector<qint64> m_gaps_ns;
    std::vector<qint64> m_gapEnds_ms;
    std::vector<GapReport> m_reports;
};

void printGapReports(const char *label, std::vector<GapReport> reports, size_t limit)
{
    std::sort(reports.begin(), reports.end(),
              [](const GapReport &a, const GapReport &b) { return a.gap_us > b.gap_us; });
    std::printf("%s: %zu long gaps; for each, the GUI thread's own CPU time, its time runnable but waiting for a\n"
                "  CPU (preempted: kernel schedstat), and its time inside event deliveries\n",
                label, reports.size());
    const QMetaEnum types = QMetaEnum::fromType<QEvent::Type>();
    for (size_t i = 0; i < reports.size() && i < limit; ++i) {
        const GapReport &r = reports[i];
        std::printf("  gap ending t=%7lld ms: wall %6.1f ms, GUI-thread CPU %6.1f ms, waiting for a CPU %6.1f ms, "
                    "in events %6.1f ms\n",
                    static_cast<long long>(r.end_ms), double(r.gap_us) / 1000.0, double(r.threadCpu_us) / 1000.0,
                    double(r.runQueueWait_us) / 1000.0, double(r.inEvents_us) / 1000.0);
        for (size_t j = 0; j < r.deliveries.size() && j < 6; ++j) {
            const SlowDelivery &s = r.deliveries[j];
            const char *typeName = types.valueToKey(s.type);
            std::printf("      %6.1f ms  depth %d  %-16s %s\n", double(s.duration_us) / 1000.0, s.depth,
                        typeName ? typeName : "?", s.receiver.constData());
        }
    }
}

struct StallFigures {
    qint64 duration_ms = 0;
    size_t ticks = 0;
    double max_ms = 0;
    double p99_ms = 0;
    double p50_ms = 0;
    size_t over50 = 0;
    qint64 maxEndsAt_ms = 0;
};

StallFigures summarise(const TickRecorder &recorder, qint64 duration_ms)
{
    StallFigures figures;
    figures.duration_ms = duration_ms;
    std::vector<qint64> gaps = recorder.gaps_ns();
    if (gaps.empty())
        return figures;
    const auto maxIt = std::max_element(gaps.begin(), gaps.end());
    figures.maxEndsAt_ms = recorder.gapEnds_ms()[static_cast<size_t>(maxIt - gaps.begin())];
    figures.ticks = gaps.size() - 1; // the closing gap ends at stop, not at a tick
    figures.over50 = static_cast<size_t>(
        std::count_if(gaps.begin(), gaps.end(), [](qint64 gap) { return gap > GoalStall_ms * 1'000'000; }));
    std::sort(gaps.begin(), gaps.end());
    const auto percentile = [&gaps](double p) {
        const size_t index = std::min(gaps.size() - 1, static_cast<size_t>(p * double(gaps.size() - 1) + 0.5));
        return double(gaps[index]) / 1e6;
    };
    figures.max_ms = double(gaps.back()) / 1e6;
    figures.p99_ms = percentile(0.99);
    figures.p50_ms = percentile(0.50);
    return figures;
}

void printFigures(const char *label, const StallFigures &f)
{
    std::printf("%-6s duration %8.2f s  ticks %6zu  max gap %8.1f ms (ends at t=%lld ms)  p99 %6.1f ms  "
                "p50 %5.1f ms  gaps>50ms %zu\n",
                label, double(f.duration_ms) / 1000.0, f.ticks, f.max_ms, static_cast<long long>(f.maxEndsAt_ms),
                f.p99_ms, f.p50_ms, f.over50);
}

void printSlow(const char *label, const std::vector<SlowDelivery> &slow, size_t limit)
{
    std::vector<SlowDelivery> sorted = slow;
    std::sort(sorted.begin(), sorted.end(),
              [](const SlowDelivery &a, const SlowDelivery &b) { return a.duration_us > b.duration_us; });
    std::printf("%s: %zu slow event deliveries on the GUI thread (longest first, depth 0 = from the event loop)\n",
                label, sorted.size());
    const QMetaEnum types = QMetaEnum::fromType<QEvent::Type>();
    for (size_t i = 0; i < sorted.size() && i < limit; ++i) {
        const SlowDelivery &s = sorted[i];
        const char *typeName = types.valueToKey(s.type);
        std::printf("  t=%7lld ms  %8.1f ms  depth %d  %-16s %s\n", static_cast<long long>(s.at_ms),
                    double(s.duration_us) / 1000.0, s.depth, typeName ? typeName : "?", s.receiver.constData());
    }
}

// Every millisecond while the GUI thread has been inside one event delivery for over 5 ms,
// reads its scheduler state and kernel stack from /proc: when a delivery takes long on little
// CPU, this says whether the thread was runnable (preempted) or asleep, and on what.
class OffCpuSampler
{
public:
    OffCpuSampler(const TimedApplication *app, pid_t guiThread)
        : m_app(app)
        , m_taskDir(QStringLiteral("/proc/self/task/%1/").arg(guiThread))
    {
    }
    ~OffCpuSampler() { stop(); }

    void start()
    {
        m_running = true;
        m_thread = std::thread([this] { run(); });
    }
    void stop()
    {
        m_running = false;
        if (m_thread.joinable())
            m_thread.join();
    }
    void print(const char *label) const
    {
        std::vector<std::pair<QByteArray, int>> sorted(m_counts.begin(), m_counts.end());
        std::sort(sorted.begin(), sorted.end(), [](const auto &a, const auto &b) { return a.second > b.second; });
        int total = 0;
        for (const auto &entry : sorted)
            total += entry.second;
        std::printf("%s: GUI thread state sampled each 1 ms inside deliveries > 5 ms: %d samples "
                    "(R = running or runnable; S/D = asleep, with the kernel stack)\n",
                    label, total);
        for (size_t i = 0; i < sorted.size() && i < 8; ++i)
            std::printf("  %5d  %s\n", sorted[i].second, sorted[i].first.constData());
    }

private:
    static QByteArray readFile(const QString &path)
    {
        QFile file(path);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }
    void run()
    {
        while (m_running) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
            const qint64 start_ns = m_app->topDeliveryStart_ns();
            if (start_ns < 0 || steadyNow_ns() - start_ns < 5'000'000)
                continue;
            const QByteArray stat = readFile(m_taskDir + QStringLiteral("stat"));
            const qsizetype close = stat.lastIndexOf(')'); // the name may hold spaces
            if (close < 0 || close + 2 >= stat.size())
                continue;
            const char state = stat.at(close + 2);
            QByteArray key(1, state);
            if (state != 'R') {
                // Top frames of the kernel stack without offsets: what the thread sleeps on.
                const QList<QByteArray> frames = readFile(m_taskDir + QStringLiteral("stack")).split('\n');
                for (int i = 0; i < frames.size() && i < 4; ++i) {
                    QByteArray frame = frames.at(i).mid(frames.at(i).indexOf(' ') + 1);
                    frame = frame.left(frame.indexOf('+'));
                    if (!frame.isEmpty())
                        key += (i == 0 ? " " : " < ") + frame;
                }
            }
            ++m_counts[key];
        }
    }

    const TimedApplication *m_app;
    QString m_taskDir;
    std::atomic<bool> m_running{false};
    std::thread m_thread;
    std::map<QByteArray, int> m_counts;
};

bool writeRandomFile(const QString &path, qint64 size_bytes)
{
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    // splitmix64: incompressible bytes at memory speed; /dev/urandom would add seconds per GiB.
    std::uint64_t state = 0x9e3779b97f4a7c15ULL ^ static_cast<std::uint64_t>(QDateTime::currentMSecsSinceEpoch());
    std::vector<std::uint64_t> block(1 << 17); // 1 MiB
    for (qint64 written = 0; written < size_bytes;) {
        for (std::uint64_t &word : block) {
            std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            word = z ^ (z >> 31);
        }
        const qint64 chunk = std::min<qint64>(size_bytes - written, qint64(block.size() * sizeof(std::uint64_t)));
        if (file.write(reinterpret_cast<const char *>(block.data()), chunk) != chunk)
            return false;
        written += chunk;
    }
    return file.flush();
}

// The measured phases run in a plain event loop as QApplication::exec() does: QTest::qWait
// and qWaitFor sleep 10 ms between processEvents() calls, which would be counted as stalls.
template<typename Setup> void runEventLoop(Setup setup)
{
    QEventLoop loop;
    setup(loop);
    loop.exec();
}

QString labelText(const QWidget *root, const char *name)
{
    const auto *label = root->findChild<QLabel *>(QLatin1String(name));
    return label ? label->text() : QStringLiteral("?");
}

bool writeSmallFiles(const QString &dir, int count)
{
    if (!QDir().mkpath(dir))
        return false;
    for (int i = 0; i < count; ++i) {
        QFile file(QDir(dir).filePath(QStringLiteral("sample-%1.bin").arg(i, 5, 10, QLatin1Char('0'))));
        if (!file.open(QIODevice::WriteOnly) || file.write("x") != 1)
            return false;
    }
    return true;
}

double median(std::vector<double> values)
{
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    const size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2.0;
}

struct RatioSetup {
    MainWindow *window = nullptr;
    QPushButton *sendButton = nullptr;
    QString dataset;
    QString cli; // trainguard-cli
    QString passphraseFile; // the embedded receiver's 0600 file (no secret service here)
    QString tokenFile;
    int checkedSends = 20;
    int cliSends = 5;
    int medianOf = 5;
    // Reuse: as a user's repeated sends of one dataset (the check reuses its fingerprints while no
    // file changed). RebuildEverySend: the dataset's times are set anew before each checked send,
    // so that every check builds its fingerprints, as at a dataset's first send.
    enum class Fingerprints { Reuse, RebuildEverySend } fingerprints = Fingerprints::Reuse;
};

// The cost of the leak check: CLI sends (no check) and GUI sends (with the check) of the same file
// to the same embedded receiver, alternating, each from start to "stored"; after each GUI send,
// its verdict (the grace period included, so the next send starts on a quiet machine). The stored
// file is removed after every send so that the next one is not refused as a duplicate.
int runLeakRatio(const RatioSetup &setup)
{
    TrainGuard::Gui::EmbeddedReceiver *receiver = setup.window->embeddedReceiver();
    TransferPanel *transfer = setup.window->transferPanel();
    TrainGuard::Capture::LeakWatch *leakWatch = setup.window->leakWatch();
    const QString stored = QDir(receiver->storeDir()).filePath(QFileInfo(setup.dataset).fileName());
    const QStringList cliArguments = {QStringLiteral("send"),
                                      setup.dataset,
                                      QStringLiteral("--to"),
                                      receiver->url().toString(),
                                      QStringLiteral("--ca"),
                                      receiver->caFile(),
                                      QStringLiteral("--token-file"),
                                      setup.tokenFile,
                                      QStringLiteral("--passphrase-file"),
                                      setup.passphraseFile,
                                      QStringLiteral("--replace"),
                                      QStringLiteral("--quiet")};
    std::vector<double> unchecked_s;
    std::vector<double> checked_s;
    int conclusive = 0;
    const int rounds = std::max(setup.checkedSends, setup.cliSends);
    for (int round = 0; round < rounds; ++round) {
        if (round < setup.cliSends) {
            QProcess cli;
            cli.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            QElapsedTimer clock;
            clock.start();
            cli.start(setup.cli, cliArguments);
            runEventLoop([&cli](QEventLoop &loop) {
                QObject::connect(&cli, &QProcess::finished, &loop, &QEventLoop::quit);
                QObject::connect(&cli, &QProcess::errorOccurred, &loop, &QEventLoop::quit);
            });
            const double seconds = double(clock.elapsed()) / 1000.0;
            if (cli.exitStatus() != QProcess::NormalExit || cli.exitCode() != 0) {
                std::fprintf(stderr, "gui_stall_bench: %s send failed (exit %d): %s\n", qPrintable(setup.cli),
                             cli.exitCode(), cli.readAllStandardOutput().constData());
                return 1;
            }
            unchecked_s.push_back(seconds);
            std::printf("unchecked send %d (trainguard-cli send): %.2f s\n", round + 1, seconds);
            std::fflush(stdout);
            QFile::remove(stored);
        }
        if (round >= setup.checkedSends)
            continue;
        if (setup.fingerprints == RatioSetup::Fingerprints::RebuildEverySend
            && ::utimensat(AT_FDCWD, QFile::encodeName(setup.dataset).constData(), nullptr, 0) != 0) {
            std::fprintf(stderr, "gui_stall_bench: cannot touch %s\n", qPrintable(setup.dataset));
            return 1;
        }
        TrainGuard::Transfer::SendResult result;
        std::optional<TrainGuard::Capture::LeakReport> verdict;
        QMetaObject::Connection onFinished
            = QObject::connect(transfer, &TransferPanel::sendFinished, transfer,
                               [&result](const TrainGuard::Transfer::SendResult &r) { result = r; });
        QMetaObject::Connection onVerdict
            = QObject::connect(leakWatch, &TrainGuard::Capture::LeakWatch::finished, leakWatch,
                               [&verdict](const TrainGuard::Capture::LeakReport &report) { verdict = report; });
        QElapsedTimer clock;
        clock.start();
        QTest::mouseClick(setup.sendButton, Qt::LeftButton);
        if (!transfer->isSending()) {
            std::fprintf(stderr, "gui_stall_bench: Send did not start a send\n");
            return 1;
        }
        runEventLoop([transfer](QEventLoop &loop) {
            QObject::connect(transfer, &TransferPanel::sendFinished, &loop, &QEventLoop::quit);
        });
        const double seconds = double(clock.elapsed()) / 1000.0;
        if (!result.ok) {
            std::fprintf(stderr, "gui_stall_bench: GUI send failed: %s\n", qPrintable(result.message));
            return 1;
        }
        if (!verdict) {
            runEventLoop([leakWatch](QEventLoop &loop) {
                QObject::connect(leakWatch, &TrainGuard::Capture::LeakWatch::finished, &loop, &QEventLoop::quit);
                QTimer::singleShot(5 * 60 * 1000, &loop, &QEventLoop::quit);
            });
        }
        const double verdict_s = double(clock.elapsed()) / 1000.0;
        QObject::disconnect(onFinished);
        QObject::disconnect(onVerdict);
        const bool isConclusive = verdict && verdict->conclusive();
        conclusive += isConclusive ? 1 : 0;
        checked_s.push_back(seconds);
        std::printf("checked send %d (GUI, leak check): %.2f s, verdict after %.2f s: %s%s\n", round + 1, seconds,
                    verdict_s, verdict ? qPrintable(verdict->verdictText()) : "(none within 5 minutes)",
                    verdict && verdict->droppedPackets > 0
                        ? qPrintable(QStringLiteral(" [%1 packets dropped]").arg(verdict->droppedPackets))
                        : "");
        std::fflush(stdout);
        QFile::remove(stored);
    }
    const int medianOf = std::min<int>(setup.medianOf, int(std::min(checked_s.size(), unchecked_s.size())));
    const double checked = median({checked_s.begin(), checked_s.begin() + medianOf});
    const double unchecked = median({unchecked_s.begin(), unchecked_s.begin() + medianOf});
    const double ratio = unchecked > 0 ? checked / unchecked : 0.0;
    std::printf("all %zu checked sends: median %.2f s; all %zu unchecked: median %.2f s\n", checked_s.size(),
                median(checked_s), unchecked_s.size(), median(unchecked_s));
    // The line; with fingerprints built at every send, said so before it (run.sh prints it first).
    std::printf("leak-check send ratio%s: %.2f (checked %.2f s / unchecked %.2f s, median of %d), conclusive %d/%zu\n",
                setup.fingerprints == RatioSetup::Fingerprints::RebuildEverySend ? ", fingerprints built at every send"
                                                                                 : "",
                ratio, checked, unchecked, medianOf, conclusive, checked_s.size());
    std::fflush(stdout);
    return ratio <= GoalLeakCheckRatio && conclusive == int(checked_s.size()) ? 0 : 3;
}

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM") && qEnvironmentVariableIsEmpty("DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    TrainGuard::applyApplicationIdentity();
    TimedApplication app(argc, argv);
    initGuiResources();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("GUI event-loop stall during a send with capture on"));
    parser.addHelpOption();
    const QCommandLineOption sizeOption(QStringLiteral("size-mib"), QStringLiteral("Dataset size in MiB (1024)."),
                                        QStringLiteral("MiB"), QStringLiteral("1024"));
    const QCommandLineOption dirOption(QStringLiteral("dir"),
                                       QStringLiteral("Parent of the temp dir for dataset, store, spool (/dev/shm)."),
                                       QStringLiteral("path"), QStringLiteral("/dev/shm"));
    const QCommandLineOption gapOption(QStringLiteral("report-gap-ms"),
                                       QStringLiteral("Explain tick gaps at least this long (25)."),
                                       QStringLiteral("ms"), QStringLiteral("25"));
    const QCommandLineOption slowOption(QStringLiteral("slow-ms"),
                                        QStringLiteral("Log event deliveries at least this long (20)."),
                                        QStringLiteral("ms"), QStringLiteral("20"));
    const QCommandLineOption panelOption(QStringLiteral("watch"),
                                         QStringLiteral("Panel shown during the send: overview (the first page: "
                                                        "Send on its Send card, every card live), transfer, "
                                                        "traffic (live charts and tables) or files (a burst of "
                                                        "deletions in a watched folder) (transfer)."),
                                         QStringLiteral("panel"), QStringLiteral("transfer"));
    const QCommandLineOption injectOption(
        QStringLiteral("inject-stall-ms"),
        QStringLiteral("Self-check: busy the GUI thread this long 1 s into the "
                       "send; the run must then fail, showing it as a Timer delivery (0)."),
        QStringLiteral("ms"), QStringLiteral("0"));
    const QCommandLineOption burstOption(QStringLiteral("burst-files"),
                                         QStringLiteral("With --watch files: files deleted 1 s into the send (10000)."),
                                         QStringLiteral("count"), QStringLiteral("10000"));
    const QCommandLineOption ratioOption(
        QStringLiteral("leak-ratio"),
        QStringLiteral("Instead of the stall run: alternate trainguard-cli sends (CLI) and GUI sends with the leak "
                       "check, and print the ratio of their median times and how many verdicts were conclusive."),
        QStringLiteral("trainguard-cli"));
    const QCommandLineOption checkedOption(QStringLiteral("checked-sends"),
                                           QStringLiteral("With --leak-ratio: GUI sends with the leak check (20)."),
                                           QStringLiteral("count"), QStringLiteral("20"));
    const QCommandLineOption uncheckedOption(QStringLiteral("cli-sends"),
                                             QStringLiteral("With --leak-ratio: CLI sends (5)."),
                                             QStringLiteral("count"), QStringLiteral("5"));
    const QCommandLineOption rebuildOption(
        QStringLiteral("rebuild-fingerprints"),
        QStringLiteral("With --leak-ratio: touch the dataset before each GUI send, so that every check builds its "
                       "fingerprints (a first send) instead of reusing the last check's (a repeated send)."));
    parser.addOptions({sizeOption, dirOption, gapOption, slowOption, panelOption, injectOption, burstOption,
                       ratioOption, checkedOption, uncheckedOption, rebuildOption});
    parser.process(app);
    const qint64 size_bytes = parser.value(sizeOption).toLongLong() * 1024 * 1024;
    const qint64 slow_us = parser.value(slowOption).toLongLong() * 1000;
    const QString watched = parser.value(panelOption);
    if (watched != QLatin1String("overview") && watched != QLatin1String("transfer")
        && watched != QLatin1String("traffic") && watched != QLatin1String("files")) {
        std::fprintf(stderr, "gui_stall_bench: --watch is overview, transfer, traffic or files\n");
        return 2;
    }
    const bool burst = watched == QLatin1String("files");
    const int burstFiles = parser.value(burstOption).toInt();
    if (burst && burstFiles <= 0) {
        std::fprintf(stderr, "gui_stall_bench: --burst-files must be positive\n");
        return 2;
    }
    if (size_bytes <= 0) {
        std::fprintf(stderr, "gui_stall_bench: --size-mib must be positive\n");
        return 2;
    }

    const bool root = geteuid() == 0;
    QTemporaryDir home(QDir(parser.value(dirOption)).filePath(QStringLiteral("trainguard-bench-gui-XXXXXX")));
    if (!home.isValid()) {
        std::fprintf(stderr, "gui_stall_bench: cannot create a temp dir in %s\n", qPrintable(parser.value(dirOption)));
        return 1;
    }
    // Fresh settings, data and capture spool; never the developer's real keychain.
    TrainGuard::TestSupport::isolateUserDirs(home);

    const QString dataset = home.filePath(QStringLiteral("dataset.bin"));
    std::printf("gui_stall_bench: writing %lld MiB of random data to %s\n",
                static_cast<long long>(size_bytes / (1024 * 1024)), qPrintable(dataset));
    std::fflush(stdout);
    if (!writeRandomFile(dataset, size_bytes)) {
        std::fprintf(stderr, "gui_stall_bench: cannot write %s\n", qPrintable(dataset));
        return 1;
    }

    MainWindow::StartupOptions options = TrainGuard::TestSupport::isolatedStartupOptions(
        home, QStringLiteral("TrainGuardBench"), QStringLiteral("bench"));
    options.captureOnLaunch = root;

    auto window = std::make_unique<MainWindow>();
    window->resize(1200, 800);
    window->show();
    if (!QTest::qWaitForWindowExposed(window.get())) {
        std::fprintf(stderr, "gui_stall_bench: the window was never exposed\n");
        return 1;
    }
    window->startServices(options);
    if (!QTest::qWaitFor([&] { return window->embeddedReceiver()->isRunning(); }, 30000)) {
        std::fprintf(stderr, "gui_stall_bench: the embedded receiver did not start\n");
        return 1;
    }
    TransferPanel *transfer = window->transferPanel();
    TrafficPanel *traffic = window->trafficPanel();
    if (root && !QTest::qWaitFor([&] { return traffic->isCapturing(); }, 10000)) {
        std::fprintf(stderr, "gui_stall_bench: capture did not start: %s\n", qPrintable(traffic->stateText()));
        return 1;
    }
    // The folder of the burst, watched before the send (its initial scan is not part of it).
    FilesPanel *files = window->filesPanel();
    const QString burstDir = home.filePath(QStringLiteral("watched"));
    if (burst) {
        if (!writeSmallFiles(burstDir, burstFiles)) {
            std::fprintf(stderr, "gui_stall_bench: cannot write %d files in %s\n", burstFiles, qPrintable(burstDir));
            return 1;
        }
        bool watching = false;
        QObject::connect(files->findChild<TrainGuard::FsWatch::FsMonitor *>(),
                         &TrainGuard::FsWatch::FsMonitor::watchingStarted, files, [&watching] { watching = true; });
        files->watchFolder(burstDir);
        if (!QTest::qWaitFor([&] { return watching; }, 60000)) {
            std::fprintf(stderr, "gui_stall_bench: the Files panel did not start watching %s\n", qPrintable(burstDir));
            return 1;
        }
    }
    const int fileRowsBefore = files->eventModel()->rowCount();
    transfer->setDatasetPath(dataset);
    // The Overview is the first page: there the user presses its Send card's button and stays.
    const bool overview = watched == QLatin1String("overview");
    window->showPanel(overview ? MainWindow::Panel::Overview : MainWindow::Panel::Transfer);
    QPushButton *sendButton = overview ? window->overviewPage()->sendButton()
                                       : transfer->findChild<QPushButton *>(QStringLiteral("sendButton"));
    if (!sendButton || !QTest::qWaitFor([&] { return sendButton->isEnabled(); }, 10000)) {
        std::fprintf(stderr, "gui_stall_bench: the Send button is not enabled\n");
        return 1;
    }
    QTest::qWait(1000); // let the start-up settle: its work is not part of the send
    if (parser.isSet(ratioOption)) {
        RatioSetup setup;
        setup.window = window.get();
        setup.sendButton = sendButton;
        setup.dataset = dataset;
        setup.cli = parser.value(ratioOption);
        setup.passphraseFile = options.receiverPaths.passphrase.privateFilePath;
        setup.tokenFile = options.receiverPaths.tokenFile;
        setup.checkedSends = parser.value(checkedOption).toInt();
        setup.cliSends = parser.value(uncheckedOption).toInt();
        if (parser.isSet(rebuildOption))
            setup.fingerprints = RatioSetup::Fingerprints::RebuildEverySend;
        std::printf("\n== leak-check cost, %lld MiB, receiver %s, leak check on %s (grace %d s) ==\n",
                    static_cast<long long>(size_bytes / (1024 * 1024)),
                    qPrintable(window->embeddedReceiver()->url().toString()),
                    qPrintable(window->leakWatch()->options().interfaceName),
                    window->leakWatch()->options().grace_ms / 1000);
        std::fflush(stdout);
        const int status = runLeakRatio(setup);
        window.reset();
        return status;
    }

    QElapsedTimer clock;
    clock.start();
    app.startTiming(clock, slow_us);
    OffCpuSampler sampler(&app, static_cast<pid_t>(gettid()));
    TickRecorder recorder(&app, parser.value(gapOption).toLongLong() * 1000);

    // Send phase: from the click to sendFinished.
    bool finished = false;
    TrainGuard::Transfer::SendResult result;
    QObject::connect(transfer, &TransferPanel::sendFinished, &recorder, [&](const TrainGuard::Transfer::SendResult &r) {
        result = r;
        finished = true;
    });
    QString leakVerdict;
    TrainGuard::Capture::LeakWatch *leakWatch = window->leakWatch();
    QObject::connect(
        leakWatch, &TrainGuard::Capture::LeakWatch::finished, &recorder,
        [&leakVerdict](const TrainGuard::Capture::LeakReport &report) { leakVerdict = report.verdictText(); });
    recorder.start(clock);
    sampler.start();
    const qint64 sendStart_ms = clock.elapsed();
    QTest::mouseClick(sendButton, Qt::LeftButton);
    if (!transfer->isSending()) {
        std::fprintf(stderr, "gui_stall_bench: Send did not start a send\n");
        return 1;
    }
    if (watched == QLatin1String("traffic"))
        window->showPanel(MainWindow::Panel::Traffic); // the user switches over to watch the upload
    std::thread deleter;
    std::atomic<qint64> burstStart_ms{-1};
    std::atomic<qint64> burstEnd_ms{-1};
    if (burst) {
        window->showPanel(MainWindow::Panel::Files);
        QTimer::singleShot(1000, &recorder, [&] {
            deleter = std::thread([&, dir = QFile::encodeName(burstDir)] {
                burstStart_ms = clock.elapsed();
                for (int i = 0; i < burstFiles; ++i)
                    ::unlink(QByteArray(dir + "/sample-" + QByteArray::number(i).rightJustified(5, '0') + ".bin")
                                 .constData());
                burstEnd_ms = clock.elapsed();
            });
        });
    }
    QObject injector;
    injector.setObjectName(QStringLiteral("injectedStall"));
    if (const qint64 inject_ms = parser.value(injectOption).toLongLong(); inject_ms > 0) {
        QTimer::singleShot(1000, &injector, [inject_ms] {
            QElapsedTimer spin;
            spin.start();
            while (spin.elapsed() < inject_ms) { }
        });
    }
    runEventLoop([&](QEventLoop &loop) {
        QObject::connect(transfer, &TransferPanel::sendFinished, &loop, &QEventLoop::quit);
        QTimer::singleShot(30 * 60 * 1000, &loop, &QEventLoop::quit);
    });
    const qint64 sendDuration_ms = clock.elapsed() - sendStart_ms;
    recorder.stop();
    if (deleter.joinable())
        deleter.join();
    sampler.stop();
    const StallFigures send = summarise(recorder, sendDuration_ms);
    const std::vector<GapReport> sendGaps = recorder.reports();
    const std::vector<SlowDelivery> sendSlow = app.takeSlow();
    if (!finished) {
        std::fprintf(stderr, "gui_stall_bench: the send did not finish in 30 minutes\n");
        return 1;
    }
    const QString statusAtFinish = traffic->statusText();

    // Let the last capture batches arrive, then read the counters the Traffic panel shows.
    runEventLoop([](QEventLoop &loop) { QTimer::singleShot(1500, &loop, &QEventLoop::quit); });
    const int fileRowsAfterSend = files->eventModel()->rowCount() - fileRowsBefore;
    const QString packets = labelText(traffic, "packetsValue");
    const QString kernelDrops = labelText(traffic, "kernelDropsValue");
    const QString queueDrops = labelText(traffic, "queueDropsValue");
    const QString status = traffic->statusText();
    app.takeSlow();

    // Baseline peer: the same window, idle, over the same duration.
    const qint64 idleStart_ms = clock.elapsed();
    recorder.start(clock);
    runEventLoop([sendDuration_ms](QEventLoop &loop) {
        QTimer::singleShot(static_cast<int>(sendDuration_ms), Qt::PreciseTimer, &loop, &QEventLoop::quit);
    });
    recorder.stop();
    const StallFigures idle = summarise(recorder, clock.elapsed() - idleStart_ms);
    const std::vector<GapReport> idleGaps = recorder.reports();
    const std::vector<SlowDelivery> idleSlow = app.takeSlow();

    // The send's leak check ends after its grace period: its verdict says whether it covered the
    // whole send (unscanned bytes make it inconclusive).
    if (leakVerdict.isEmpty()) {
        runEventLoop([leakWatch](QEventLoop &loop) {
            QObject::connect(leakWatch, &TrainGuard::Capture::LeakWatch::finished, &loop, &QEventLoop::quit);
            QTimer::singleShot(30000, &loop, &QEventLoop::quit);
        });
    }
    if (leakVerdict.isEmpty())
        leakVerdict = QStringLiteral("(no verdict within 30 s of the idle window)");

    const double mib = double(size_bytes) / (1024.0 * 1024.0);
    std::printf("\n== GUI event-loop stall, %.0f MiB send, capture %s, %s panel shown, platform %s ==\n", mib,
                root ? (traffic->isCapturing() ? "on" : "off (did not start)") : "off (not root)", qPrintable(watched),
                qPrintable(QGuiApplication::platformName()));
    std::printf("send: %s (%s)\n", result.ok ? "stored" : "FAILED", qPrintable(result.message));
    std::printf("send total %.2f s, throughput %.1f MiB/s (sender's own elapsed %.2f s)\n",
                double(sendDuration_ms) / 1000.0, mib / (double(sendDuration_ms) / 1000.0),
                double(result.elapsed_ms) / 1000.0);
    std::printf("capture: packets %s, kernel drops %s, queue drops %s\n", qPrintable(packets), qPrintable(kernelDrops),
                qPrintable(queueDrops));
    std::printf("capture status at finish: %s\n", qPrintable(statusAtFinish));
    std::printf("capture status 1.5 s later: %s\n", qPrintable(status));
    std::printf("leak check: %s\n", qPrintable(leakVerdict));
    if (burst) {
        std::printf("files: %d deletions from t=%lld to t=%lld ms (send from t=%lld to t=%lld ms); %d event rows "
                    "1.5 s after the send; audit log: %s\n",
                    burstFiles, static_cast<long long>(burstStart_ms.load()),
                    static_cast<long long>(burstEnd_ms.load()), static_cast<long long>(sendStart_ms),
                    static_cast<long long>(sendStart_ms + sendDuration_ms), fileRowsAfterSend,
                    qPrintable(files->auditStatusText()));
    }
    printFigures("send", send);
    printFigures("idle", idle);
    std::printf("max-gap ratio send/idle: %.1fx\n", idle.max_ms > 0 ? send.max_ms / idle.max_ms : 0.0);
    const bool pass = result.ok && send.max_ms <= double(GoalStall_ms);
    std::printf("RESULT: %s (send max gap %.1f ms vs goal <= %lld ms)\n\n", pass ? "PASS" : "FAIL", send.max_ms,
                static_cast<long long>(GoalStall_ms));
    printGapReports("send", sendGaps, 10);
    printGapReports("idle", idleGaps, 5);
    sampler.print("send");
    printSlow("send", sendSlow, 25);
    printSlow("idle", idleSlow, 10);
    std::fflush(stdout);

    window.reset(); // stops capture and receiver before the temp dir goes
    return pass ? 0 : 3;
}
