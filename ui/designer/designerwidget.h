#pragma once

#include "document/flowdocument.h"

#include <QWidget>

class QAction;
class QGraphicsView;
class QListWidget;
class QSettings;
class QSplitter;
class QMenu;
class QToolBar;

namespace txdesk::client {
class CoordinatorClient;
}

namespace txdesk::ui {

class FlowScene;
class PropertyPanel;
class ExploreFailuresDialog;

// The flow designer: canvas, property panel, live validation, files, run and export.
class DesignerWidget : public QWidget
{
    Q_OBJECT

public:
    explicit DesignerWidget(client::CoordinatorClient &client, QWidget *parent = nullptr);

    document::FlowDocument &document() { return m_doc; }
    FlowScene *scene() const { return m_scene; }
    PropertyPanel *properties() const { return m_properties; }
    QListWidget *validation() const { return m_validation; }
    QString filePath() const { return m_doc.filePath(); }
    bool isModified() const;

    // The splitters and the flow file open at quit, back at the next start (the file reopened
    // if it is still there).
    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

    bool openFile(const QString &path, QString *error = nullptr);
    bool saveTo(const QString &path, QString *error = nullptr);
    void newFlow(coord::domain::TxType type = coord::domain::TxType::Saga);
    // Asks whether to save unsaved changes; false when the user cancels.
    bool maybeSave();
    QString exportGo() const;
    void copySelection();
    void pasteClipboard();
    // Designer ▸ Explore failures… for the flow being designed; null when it has errors.
    ExploreFailuresDialog *exploreFailures();

signals:
    void submitted(const QString &gid);
    // Open this transaction in the monitor (a path of the failure-path explorer).
    void transactionRequested(const QString &gid);
    void titleChanged(const QString &title);

private:
    void createActions(QToolBar *toolbar);
    void createFileActions(QToolBar *toolbar);
    void createEditActions(QToolBar *toolbar);
    void createViewActions(QToolBar *toolbar);
    void createRunActions(QToolBar *toolbar);
    void revalidate();
    void rememberRecent(const QString &path);
    void fillRecentMenu();
    void run();
    void showText(const QString &title, const QString &text);

    client::CoordinatorClient &m_client;
    document::FlowDocument m_doc;
    FlowScene *m_scene;
    QGraphicsView *m_view;
    PropertyPanel *m_properties;
    QListWidget *m_validation;
    QMenu *m_recent;
    QSplitter *m_split = nullptr, *m_side = nullptr;
    QString m_openedName;  // the title of a flow without a path (untitled, a sample)
};

}  // namespace txdesk::ui
