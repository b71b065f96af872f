// txdesk: the TxDesk console.
#include "designer/designerwidget.h"
#include "mainwindow.h"
#include "session/connectionprofile.h"
#include "session/consolesession.h"
#include "session/quitonsignals.h"
#include "session/tokenvault.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    txdesk::session::QuitOnSignals quitOnSignals;
    QApplication::setOrganizationName(QStringLiteral("TxDesk"));
    QApplication::setApplicationName(QStringLiteral("txdesk"));
    QApplication::setApplicationVersion(QStringLiteral(TXDESK_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("TxDesk console"));
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption connect(QStringLiteral("connect"),
                               QStringLiteral("Connect to a running coordinator instead of "
                                              "starting the bundled one."),
                               QStringLiteral("host:port"));
    QCommandLineOption token(QStringLiteral("token"), QStringLiteral("Bearer token."),
                             QStringLiteral("token"));
    QCommandLineOption coordinator(QStringLiteral("coordinator"),
                                   QStringLiteral("Path of the bundled coordinator-lite."),
                                   QStringLiteral("path"));
    QCommandLineOption db(QStringLiteral("db"),
                          QStringLiteral("SQLite file of the bundled coordinator."),
                          QStringLiteral("file"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Save a picture of the window and quit."),
                                  QStringLiteral("png"));
    QCommandLineOption quitAfter(QStringLiteral("quit-after"),
                                 QStringLiteral("Quit after this many milliseconds."),
                                 QStringLiteral("ms"));
    QCommandLineOption show(QStringLiteral("show"),
                            QStringLiteral("Open with this transaction in the detail pane."),
                            QStringLiteral("gid"));
    QCommandLineOption view(QStringLiteral("view"),
                            QStringLiteral("Start on a view: transactions, stuck, dashboard."),
                            QStringLiteral("name"));
    QCommandLineOption design(QStringLiteral("design"),
                              QStringLiteral("Open a .txflow.json in the designer."),
                              QStringLiteral("file"));
    QCommandLineOption tab(QStringLiteral("detail-tab"),
                           QStringLiteral("Detail tab to show first: branches, timeline, events."),
                           QStringLiteral("name"));
    parser.addOptions({connect, token, coordinator, db, screenshot, quitAfter, show, tab, view, design});
    parser.process(app);

    // --connect wins; otherwise the profile chosen last time (the bundled one at first).
    txdesk::session::ProfileStore profiles;
    txdesk::session::SessionConfig config;
    if (parser.isSet(connect)) {
        config.remoteAddress = parser.value(connect);
        config.profileName = config.remoteAddress;
    } else {
        const auto profile = profiles.find(profiles.current());
        config.profileName = profile.name;
        config.remoteAddress = profile.address;
        config.caFile = profile.caFile;
    }
    config.token = parser.value(token);
    config.coordinatorExecutable = parser.value(coordinator);
    config.databasePath = parser.value(db);

    txdesk::session::TokenVault vault;
    txdesk::session::ConsoleSession session(config);
    txdesk::ui::MainWindow window(session, vault);
    window.show();
    if (!config.remoteAddress.isEmpty() && config.token.isEmpty() && !parser.isSet(connect)) {
        vault.load(config.profileName, [&session, config](const QString &stored, const QString &) mutable {
            config.token = stored;
            session.reconfigure(config);
        });
    } else {
        session.start();
    }
    if (parser.isSet(show))
        window.focusTransaction(parser.value(show));
    if (parser.isSet(tab))
        window.showDetailTab(parser.value(tab));
    if (parser.isSet(design)) {
        QString error;
        if (!window.designer()->openFile(parser.value(design), &error))
            qWarning("%s", qPrintable(error));
        window.showDesigner(true);
    }
    if (parser.isSet(view))
        window.showView(QStringList{QStringLiteral("transactions"), QStringLiteral("stuck"),
                                    QStringLiteral("dashboard")}
                            .indexOf(parser.value(view)));

    if (parser.isSet(screenshot) || parser.isSet(quitAfter)) {
        int ms = parser.isSet(quitAfter) ? parser.value(quitAfter).toInt() : 2000;
        QTimer::singleShot(ms, &window, [&] {
            if (parser.isSet(screenshot))
                window.grab().save(parser.value(screenshot));
            app.quit();
        });
    }
    return app.exec();
}
