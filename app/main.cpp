// txdesk: the TxDesk console.
#include "designer/designerwidget.h"
#include "mainwindow.h"
#include "models/themeicons.h"
#include "session/connectionprofile.h"
#include "session/consolesession.h"
#include "session/quitonsignals.h"
#include "session/tokenvault.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

namespace {

// The console's command line, parsed.
struct ConsoleOptions {
    QString connect, token, coordinator, db;  // where the coordinator is
    QString show, detailTab, view, design;    // what the window opens on
    QString inspect;                          // a barrier database to inspect once connected
    QString screenshot;                       // save a picture of the window and quit
    bool explore = false;                     // explore the designed flow's failures
    int quitAfterMs = -1;                     // quit after this long (-1: never)
};

ConsoleOptions parseOptions(const QApplication &app)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("TxDesk console"));
    parser.addHelpOption();
    parser.addVersionOption();
    auto option = [&parser](const char *name, const char *help, const char *value) {
        QCommandLineOption o(QString::fromLatin1(name), QString::fromLatin1(help),
                             QString::fromLatin1(value));
        parser.addOption(o);
        return o;
    };
    const auto connect = option("connect",
                                "Connect to a running coordinator instead of starting "
                                "the bundled one.",
                                "host:port");
    const auto token = option("token", "Bearer token.", "token");
    const auto coordinator = option("coordinator", "Path of the bundled coordinator-lite.", "path");
    const auto db = option("db", "SQLite file of the bundled coordinator.", "file");
    const auto screenshot = option("screenshot", "Save a picture of the window and quit.", "png");
    const auto quitAfter = option("quit-after", "Quit after this many milliseconds.", "ms");
    const auto show = option("show", "Open with this transaction in the detail pane.", "gid");
    const auto tab = option("detail-tab", "Detail tab to show first: branches, timeline, events.",
                            "name");
    const auto view = option("view", "Start on a view: transactions, stuck, dashboard.", "name");
    const auto design = option("design", "Open a .txflow.json in the designer.", "file");
    const auto inspect = option("inspect",
                                "Inspect a service's barrier table once connected (a SQLite "
                                "file, postgres://..., mysql://...).",
                                "dsn");
    const QCommandLineOption explore(
        QStringLiteral("explore"),
        QStringLiteral("With --design: explore the flow's failures once connected."));
    parser.addOption(explore);
    parser.process(app);

    ConsoleOptions o{parser.value(connect),   parser.value(token),  parser.value(coordinator),
                     parser.value(db),        parser.value(show),   parser.value(tab),
                     parser.value(view),      parser.value(design), parser.value(inspect),
                     parser.value(screenshot)};
    o.explore = parser.isSet(explore);
    if (parser.isSet(quitAfter))
        o.quitAfterMs = parser.value(quitAfter).toInt();
    else if (parser.isSet(screenshot))
        o.quitAfterMs = 2000;
    return o;
}

// --connect wins; otherwise the profile chosen last time (the bundled one at first).
txdesk::session::SessionConfig sessionConfig(const ConsoleOptions &o)
{
    txdesk::session::ProfileStore profiles;
    txdesk::session::SessionConfig config;
    if (!o.connect.isEmpty()) {
        config.remoteAddress = o.connect;
        config.profileName = config.remoteAddress;
    } else {
        const auto profile = profiles.find(profiles.current());
        config.profileName = profile.name;
        config.remoteAddress = profile.address;
        config.caFile = profile.caFile;
    }
    config.token = o.token;
    config.coordinatorExecutable = o.coordinator;
    config.databasePath = o.db;
    return config;
}

void openStartView(txdesk::ui::MainWindow &window, const ConsoleOptions &o)
{
    if (!o.show.isEmpty())
        window.focusTransaction(o.show);
    if (!o.detailTab.isEmpty())
        window.showDetailTab(o.detailTab);
    if (!o.design.isEmpty()) {
        QString error;
        if (!window.designer()->openFile(o.design, &error))
            qWarning("%s", qPrintable(error));
        window.showDesigner(true);
    }
    if (!o.inspect.isEmpty())
        window.inspectWhenConnected(o.inspect);
    if (o.explore)
        window.exploreWhenConnected();
    if (!o.view.isEmpty())
        window.showView(QStringList{QStringLiteral("transactions"), QStringLiteral("stuck"),
                                    QStringLiteral("dashboard")}
                            .indexOf(o.view));
}

}  // namespace

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    txdesk::session::QuitOnSignals quitOnSignals;
    QApplication::setOrganizationName(QStringLiteral("TxDesk"));
    QApplication::setApplicationName(QStringLiteral("txdesk"));
    QApplication::setApplicationVersion(QStringLiteral(TXDESK_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("dev.txdesk.TxDesk"));  // the menu entry
    QApplication::setWindowIcon(txdesk::models::appIcon());
    const ConsoleOptions options = parseOptions(app);

    txdesk::session::SessionConfig config = sessionConfig(options);
    txdesk::session::TokenVault vault;
    txdesk::session::ConsoleSession session(config);
    txdesk::ui::MainWindow window(session, vault);
    window.show();
    if (!config.remoteAddress.isEmpty() && config.token.isEmpty() && options.connect.isEmpty()) {
        vault.load(config.profileName,
                   [&session, config](const QString &stored, const QString &) mutable {
                       config.token = stored;
                       session.reconfigure(config);
                   });
    } else {
        session.start();
    }
    openStartView(window, options);
    if (options.quitAfterMs >= 0) {
        QTimer::singleShot(options.quitAfterMs, &window, [&] {
            if (!options.screenshot.isEmpty())
                window.grab().save(options.screenshot);
            app.quit();
        });
    }
    return app.exec();
}
