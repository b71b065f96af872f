#include "designerwidget.h"

#include "flowscene.h"
#include "flowview.h"
#include "propertypanel.h"
#include "retrywhatifdialog.h"
#include "explorefailuresdialog.h"
#include "rundialog.h"

#include "client/coordinatorclient.h"
#include "document/flowexport.h"
#include "domain/defaultaddress.h"
#include "document/flowfile.h"
#include "models/themeicons.h"

#include <QAction>
#include <QClipboard>
#include <QGuiApplication>
#include <QMimeData>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFontDatabase>
#include <QStyle>
#include <QGraphicsView>
#include <QListWidget>
#include <QMenu>
#include <QMessageBox>
#include <QPlainTextEdit>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

namespace txdesk::ui {

using namespace coord::domain;
using Severity = coord::flow::FlowIssue::Severity;

DesignerWidget::DesignerWidget(client::CoordinatorClient &client, QWidget *parent)
    : QWidget(parent),
      m_client(client),
      m_scene(new FlowScene(m_doc, this)),
      m_view(new FlowView(m_scene, this)),
      m_properties(new PropertyPanel(m_doc, this)),
      m_validation(new QListWidget(this)),
      m_recent(new QMenu(tr("Open recent"), this))
{
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setDragMode(QGraphicsView::RubberBandDrag);
    m_view->setSceneRect(-2000, -2000, 6000, 6000);
    m_view->centerOn(400, 150);
    auto *toolbar = new QToolBar(this);
    createActions(toolbar);

    auto *side = m_side = new QSplitter(Qt::Vertical, this);
    side->addWidget(m_properties);
    side->addWidget(m_validation);
    side->setStretchFactor(0, 3);
    auto *split = m_split = new QSplitter(Qt::Horizontal, this);
    split->addWidget(m_view);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(toolbar);
    layout->addWidget(split, 1);

    connect(m_scene, &QGraphicsScene::selectionChanged, this, [this] {
        const QStringList s = m_scene->selectedBranches();
        m_properties->showBranch(s.size() == 1 ? s.front() : QString());
    });
    connect(&m_doc, &document::FlowDocument::changed, this, &DesignerWidget::revalidate);
    connect(&m_doc, &document::FlowDocument::fileStateChanged, this, [this] {
        const QString name = m_doc.filePath().isEmpty() ? m_openedName
                                                        : QFileInfo(m_doc.filePath()).fileName();
        emit titleChanged(name + (isModified() ? QStringLiteral(" *") : QString()));
    });
    connect(m_validation, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        const QString id = item->data(Qt::UserRole).toString();
        if (!id.isEmpty())
            m_scene->select(id);
    });
    connect(m_validation, &QListWidget::itemClicked, m_validation, &QListWidget::itemActivated);
    newFlow();
}

namespace {

// Actions whose icon says it all (undo, zoom) keep the toolbar short: their name is the tooltip.
void iconOnly(QToolBar *toolbar, std::initializer_list<QAction *> actions)
{
    for (QAction *a : actions)
        if (auto *button = qobject_cast<QToolButton *>(toolbar->widgetForAction(a)))
            button->setToolButtonStyle(Qt::ToolButtonIconOnly);
}

}  // namespace

void DesignerWidget::createActions(QToolBar *toolbar)
{
    toolbar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    toolbar->setIconSize(QSize(22, 22));
    createFileActions(toolbar);
    toolbar->addSeparator();
    createEditActions(toolbar);
    toolbar->addSeparator();
    createViewActions(toolbar);
    toolbar->addSeparator();
    createRunActions(toolbar);
}

// New, Open, Samples, Recent, Save.
void DesignerWidget::createFileActions(QToolBar *toolbar)
{
    toolbar->addAction(models::themeIcon(QStringLiteral("document-new")), tr("New"), this, [this] {
        if (maybeSave())
            newFlow();
    });
    toolbar->addAction(
        models::themeIcon(QStringLiteral("document-open")), tr("Open…"), this, [this] {
            if (!maybeSave())
                return;
            const QString path = QFileDialog::getOpenFileName(
                this, tr("Open flow"), QString(), tr("Flows (*.txflow.json);;All files (*)"));
            QString error;
            if (!path.isEmpty() && !openFile(path, &error))
                QMessageBox::warning(this, tr("Cannot open"), error);
        });
    auto *samples = new QMenu(tr("Samples"), this);
    for (const QString &name :
         QDir(QStringLiteral(":/flows")).entryList({QStringLiteral("*.txflow.json")}))
        samples->addAction(name, this, [this, name] {
            if (!maybeSave())
                return;
            QString error;
            if (!openFile(QStringLiteral(":/flows/") + name, &error))  // a template: no path
                QMessageBox::warning(this, tr("Cannot open"), error);
        });
    auto *samplesButton = new QToolButton(this);
    samplesButton->setText(tr("Samples"));
    samplesButton->setIcon(models::themeIcon(QStringLiteral("folder-templates")));
    samplesButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    samplesButton->setMenu(samples);
    samplesButton->setPopupMode(QToolButton::InstantPopup);
    toolbar->addWidget(samplesButton);
    fillRecentMenu();
    auto *recentButton = new QToolButton(this);
    recentButton->setText(tr("Recent"));
    recentButton->setIcon(models::themeIcon(QStringLiteral("document-open")));
    recentButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    recentButton->setMenu(m_recent);
    recentButton->setPopupMode(QToolButton::InstantPopup);
    toolbar->addWidget(recentButton);
    QAction *save = toolbar->addAction(
        models::themeIcon(QStringLiteral("document-save")), tr("Save"), this, [this] {
            QString path = m_doc.filePath();
            if (path.isEmpty())
                path = QFileDialog::getSaveFileName(
                    this, tr("Save flow"), m_doc.data().name + QStringLiteral(".txflow.json"),
                    tr("Flows (*.txflow.json)"));
            QString error;
            if (!path.isEmpty() && !saveTo(path, &error))
                QMessageBox::warning(this, tr("Cannot save"), error);
        });
    save->setShortcut(QKeySequence::Save);
    save->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    addAction(save);
}

// Undo, Redo, Add branch, Auto-layout, Copy, Paste.
void DesignerWidget::createEditActions(QToolBar *toolbar)
{
    QAction *undo = m_doc.undoStack()->createUndoAction(this, tr("Undo"));
    undo->setIcon(models::themeIcon(QStringLiteral("edit-undo")));
    undo->setShortcut(QKeySequence::Undo);
    undo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    QAction *redo = m_doc.undoStack()->createRedoAction(this, tr("Redo"));
    redo->setIcon(models::themeIcon(QStringLiteral("edit-redo")));
    redo->setShortcut(QKeySequence::Redo);
    redo->setShortcutContext(Qt::WidgetWithChildrenShortcut);
    toolbar->addAction(undo);
    toolbar->addAction(redo);
    iconOnly(toolbar, {undo, redo});
    addAction(undo);
    addAction(redo);
    toolbar->addSeparator();
    toolbar->addAction(
        models::themeIcon(QStringLiteral("list-add")), tr("Add branch"), this, [this] {
            document::BranchData b;
            b.id = m_doc.newBranchId();
            b.name = tr("Branch %1").arg(b.id);
            const QPointF centre = m_view->mapToScene(m_view->viewport()->rect().center());
            b.pos = centre
                + QPointF(20.0 * (m_doc.data().branches.size() % 5),
                          20.0 * (m_doc.data().branches.size() % 5));
            m_doc.addBranch(b);
            m_scene->select(b.id);
        });
    toolbar->addAction(models::themeIcon(QStringLiteral("distribute-graph")), tr("Auto-layout"),
                       this, [this] { m_doc.autoLayout(); });
    QAction *copy = new QAction(models::themeIcon(QStringLiteral("edit-copy")), tr("Copy"), this);
    copy->setShortcut(QKeySequence::Copy);
    connect(copy, &QAction::triggered, this, &DesignerWidget::copySelection);
    QAction *paste = new QAction(models::themeIcon(QStringLiteral("edit-paste")), tr("Paste"),
                                 this);
    paste->setShortcut(QKeySequence::Paste);
    connect(paste, &QAction::triggered, this, &DesignerWidget::pasteClipboard);
    for (QAction *a : {copy, paste}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(a);
    }
}

// Zoom and fit.
void DesignerWidget::createViewActions(QToolBar *toolbar)
{
    QAction *zoomIn = new QAction(models::themeIcon(QStringLiteral("zoom-in")), tr("Zoom in"),
                                  this);
    zoomIn->setShortcuts({QKeySequence::ZoomIn, QKeySequence(Qt::CTRL | Qt::Key_Equal)});
    connect(zoomIn, &QAction::triggered, this, [this] { m_view->scale(1.25, 1.25); });
    QAction *zoomOut = new QAction(models::themeIcon(QStringLiteral("zoom-out")), tr("Zoom out"),
                                   this);
    zoomOut->setShortcut(QKeySequence::ZoomOut);
    connect(zoomOut, &QAction::triggered, this, [this] { m_view->scale(0.8, 0.8); });
    QAction *fit = new QAction(models::themeIcon(QStringLiteral("zoom-fit-best")), tr("Fit"), this);
    fit->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_0));
    connect(fit, &QAction::triggered, this, [this] {
        m_view->fitInView(m_scene->itemsBoundingRect().adjusted(-40, -40, 40, 40),
                          Qt::KeepAspectRatio);
    });
    for (QAction *a : {zoomIn, zoomOut, fit}) {
        a->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        addAction(a);
    }
    toolbar->addAction(zoomIn);
    toolbar->addAction(zoomOut);
    toolbar->addAction(fit);
    iconOnly(toolbar, {zoomIn, zoomOut, fit});
}

// Run… and the exports.
void DesignerWidget::createRunActions(QToolBar *toolbar)
{
    toolbar->addAction(models::themeIcon(QStringLiteral("media-playback-start")), tr("Run…"), this,
                       &DesignerWidget::run);
    toolbar->addAction(models::themeIcon(QStringLiteral("tools-report-bug")),
                       tr("Explore failures…"), this, [this] { exploreFailures(); });
    toolbar->addAction(models::themeIcon(QStringLiteral("chronometer")), tr("Retry what-if…"), this,
                       [this] {
                           auto *dialog = new RetryWhatIfDialog(m_doc.data(), this);
                           dialog->setAttribute(Qt::WA_DeleteOnClose);
                           dialog->open();
                       });
    auto *exportMenu = new QMenu(tr("Export"), this);
    exportMenu->addAction(tr("txctl command"), this, [this] {
        showText(tr("txctl command"),
                 document::txctlCommand(m_doc.filePath().isEmpty()
                                            ? m_doc.data().name + QStringLiteral(".txflow.json")
                                            : m_doc.filePath(),
                                        m_client.address().isEmpty()
                                            ? QString::fromLatin1(coord::domain::kDefaultAddress)
                                            : m_client.address()));
    });
    exportMenu->addAction(tr("Go (dtmcli)"), this,
                          [this] { showText(tr("Go (dtmcli)"), exportGo()); });
    auto *exportButton = new QToolButton(this);
    exportButton->setText(tr("Export"));
    exportButton->setIcon(models::themeIcon(QStringLiteral("document-export")));
    exportButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    exportButton->setMenu(exportMenu);
    exportButton->setPopupMode(QToolButton::InstantPopup);
    toolbar->addWidget(exportButton);
}

bool DesignerWidget::isModified() const { return m_doc.isModified(); }

void DesignerWidget::newFlow(TxType type)
{
    document::FlowData d;
    d.name = QStringLiteral("new-flow");
    d.type = type;
    m_openedName = tr("untitled");
    m_doc.reset(d, {});
}

bool DesignerWidget::openFile(const QString &path, QString *error)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly)) {
        if (error)
            *error = tr("%1: %2").arg(path, file.errorString());
        return false;
    }
    document::LoadedFlow loaded = document::loadFlowFile(file.readAll());
    if (!loaded.data) {
        if (error)
            *error = tr("%1: %2").arg(QFileInfo(path).fileName(), loaded.error);
        return false;
    }
    const bool resource = path.startsWith(QLatin1Char(':'));  // a sample
    m_openedName = QFileInfo(path).fileName();
    m_doc.reset(*loaded.data, resource ? QString() : path, !loaded.hadLayout);
    if (!resource)
        rememberRecent(path);
    return true;
}

bool DesignerWidget::saveTo(const QString &path, QString *error)
{
    const QByteArray bytes = document::saveFlowFile(m_doc.data(), error);
    if (bytes.isEmpty())
        return false;
    QSaveFile file(path);  // all or nothing: never a half-written flow
    if (!file.open(QIODevice::WriteOnly) || file.write(bytes) != bytes.size() || !file.commit()) {
        if (error)
            *error = tr("%1: %2").arg(path, file.errorString());
        return false;
    }
    m_doc.markSaved(path);
    rememberRecent(path);
    return true;
}

bool DesignerWidget::maybeSave()
{
    if (!isModified())
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"), tr("The flow has unsaved changes. Save them?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Discard)
        return true;
    QString path = m_doc.filePath().isEmpty() ? QFileDialog::getSaveFileName(this, tr("Save flow"))
                                              : m_doc.filePath();
    QString error;
    if (path.isEmpty() || !saveTo(path, &error)) {
        if (!error.isEmpty())
            QMessageBox::warning(this, tr("Cannot save"), error);
        return false;
    }
    return true;
}

void DesignerWidget::revalidate()
{
    m_validation->clear();
    QSet<QString> broken;
    for (const auto &issue : m_doc.validate()) {
        auto *item = new QListWidgetItem(QString::fromStdString(issue.message), m_validation);
        const bool error = issue.severity == Severity::Error;
        item->setForeground(error ? QColor(0xc6, 0x28, 0x28) : QColor(0xef, 0x6c, 0x00));
        item->setIcon(style()->standardIcon(error ? QStyle::SP_MessageBoxCritical
                                                  : QStyle::SP_MessageBoxWarning));
        item->setData(Qt::UserRole, QString::fromStdString(issue.branchId));
        if (error && !issue.branchId.empty())
            broken.insert(QString::fromStdString(issue.branchId));
    }
    if (m_validation->count() == 0)
        new QListWidgetItem(tr("No problems found."), m_validation);
    m_scene->setErrors(broken);
}

void DesignerWidget::saveState(QSettings &settings) const
{
    settings.setValue(QStringLiteral("designer/splitter"), m_split->saveState());
    settings.setValue(QStringLiteral("designer/sideSplitter"), m_side->saveState());
    settings.setValue(QStringLiteral("designer/lastFile"), m_doc.filePath());
}

void DesignerWidget::restoreState(const QSettings &settings)
{
    m_split->restoreState(settings.value(QStringLiteral("designer/splitter")).toByteArray());
    m_side->restoreState(settings.value(QStringLiteral("designer/sideSplitter")).toByteArray());
    const QString last = settings.value(QStringLiteral("designer/lastFile")).toString();
    if (!last.isEmpty() && QFileInfo::exists(last) && !isModified())
        openFile(last);  // a file that no longer opens leaves the new, empty flow
}

void DesignerWidget::rememberRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(QStringLiteral("designer/recent")).toStringList();
    recent.removeAll(path);
    recent.prepend(path);
    settings.setValue(QStringLiteral("designer/recent"), recent.mid(0, 10));
    fillRecentMenu();
}

void DesignerWidget::fillRecentMenu()
{
    m_recent->clear();
    const QStringList recent = QSettings().value(QStringLiteral("designer/recent")).toStringList();
    for (const QString &path : recent)
        m_recent->addAction(QFileInfo(path).fileName(), this, [this, path] {
            QString error;
            if (maybeSave() && !openFile(path, &error))
                QMessageBox::warning(this, tr("Cannot open"), error);
        });
    m_recent->setEnabled(!recent.isEmpty());
}

QString DesignerWidget::exportGo() const { return document::dtmGoCode(m_doc.data()); }

void DesignerWidget::copySelection()
{
    document::FlowData part = m_doc.data();
    part.branches.clear();
    for (const QString &id : m_scene->selectedBranches())
        part.branches.push_back(*m_doc.branch(id));
    if (part.branches.empty())
        return;
    QString error;
    const QByteArray bytes = document::saveFlowFile(part, &error);
    if (bytes.isEmpty())
        return;
    auto *mime = new QMimeData;
    mime->setData(QStringLiteral("application/x-txflow+json"), bytes);
    mime->setText(QString::fromUtf8(bytes));
    QGuiApplication::clipboard()->setMimeData(mime);
}

void DesignerWidget::pasteClipboard()
{
    const QMimeData *mime = QGuiApplication::clipboard()->mimeData();
    if (!mime)
        return;
    const QByteArray bytes = mime->hasFormat(QStringLiteral("application/x-txflow+json"))
        ? mime->data(QStringLiteral("application/x-txflow+json"))
        : mime->text().toUtf8();
    document::LoadedFlow loaded = document::loadFlowFile(bytes);
    if (!loaded.data || loaded.data->branches.empty())
        return;  // not branches: nothing to paste
    const QStringList ids = m_doc.paste(loaded.data->branches, QPointF(40, 40));
    m_scene->selectAll(ids);
}

void DesignerWidget::run()
{
    for (const auto &issue : m_doc.validate())
        if (issue.severity == Severity::Error) {
            QMessageBox::warning(this, tr("Cannot run"),
                                 tr("Fix the problems in the validation panel first:\n%1")
                                     .arg(QString::fromStdString(issue.message)));
            return;
        }
    auto *dialog = new RunDialog(m_client, m_doc.data(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &RunDialog::submitted, this, &DesignerWidget::submitted);
    dialog->open();
}

ExploreFailuresDialog *DesignerWidget::exploreFailures()
{
    for (const auto &issue : m_doc.validate())
        if (issue.severity == Severity::Error) {
            QMessageBox::warning(this, tr("Cannot explore"),
                                 tr("Fix the problems in the validation panel first:\n%1")
                                     .arg(QString::fromStdString(issue.message)));
            return nullptr;
        }
    auto *dialog = new ExploreFailuresDialog(m_client, m_doc, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ExploreFailuresDialog::transactionRequested, this,
            &DesignerWidget::transactionRequested);
    dialog->open();
    return dialog;
}

void DesignerWidget::showText(const QString &title, const QString &text)
{
    QDialog dialog(this);
    dialog.setWindowTitle(title);
    dialog.resize(720, 480);
    auto *edit = new QPlainTextEdit(text, &dialog);
    edit->setReadOnly(true);
    edit->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, &dialog);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    auto *layout = new QVBoxLayout(&dialog);
    layout->addWidget(edit);
    layout->addWidget(buttons);
    dialog.exec();
}

}  // namespace txdesk::ui
