#include "transactiondetailwidget.h"

#include "actiondialog.h"
#include "branchgraphview.h"
#include "timelinewidget.h"

#include "client/coordinatorclient.h"
#include "models/themeicons.h"
#include "models/transactiondetailmodel.h"
#include "models/transactiontablemodel.h"

#include <QDateTime>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QInputDialog>
#include <QLabel>
#include <QListWidget>
#include <QPointer>
#include <QPushButton>
#include <QTabWidget>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>

namespace txdesk::ui {

using namespace coord::domain;

namespace {
QString when(qint64 ms)
{
    return ms > 0
        ? QDateTime::fromMSecsSinceEpoch(ms).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz"))
        : QStringLiteral("—");
}
}  // namespace

TransactionDetailWidget::TransactionDetailWidget(client::CoordinatorClient &client, QWidget *parent)
    : QWidget(parent),
      m_client(client),
      m_header(new QLabel(this)),
      m_tabs(new QTabWidget(this)),
      m_tree(new QTreeView(this)),
      m_model(new models::TransactionDetailModel(this)),
      m_timeline(new TimelineWidget(this)),
      m_graph(new BranchGraphView(this)),
      m_events(new QListWidget(this)),
      m_refreshTimer(new QTimer(this))
{
    m_header->setTextFormat(Qt::RichText);
    m_header->setWordWrap(true);
    m_header->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_header->setText(tr("<i>Select a transaction.</i>"));
    m_tree->setModel(m_model);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setSectionResizeMode(QHeaderView::Interactive);
    m_tree->setColumnWidth(0, 200);
    // Wide enough for "pending · attempt 30 · next in 10 s" with its icon.
    m_tree->setColumnWidth(models::TransactionDetailModel::Status,
                           m_tree->fontMetrics().horizontalAdvance(
                               QStringLiteral("pending · attempt 3000 · next in 100 s"))
                               + 40);
    m_tabs->addTab(m_graph, tr("Graph"));
    m_tabs->addTab(m_tree, tr("Branches"));
    m_tabs->addTab(m_timeline, tr("Timeline"));
    m_tabs->addTab(m_events, tr("Events"));

    auto *buttons = new QHBoxLayout;
    struct ActionButton {
        OperatorAction action;
        const char *icon;
        QString label;
    };
    const std::vector<ActionButton> actions = {
        {OperatorAction::Retry, "view-refresh", tr("Retry now")},
        {OperatorAction::Pause, "media-playback-pause", tr("Pause")},
        {OperatorAction::Resume, "media-playback-start", tr("Resume")},
        {OperatorAction::Abort, "edit-undo", tr("Abort (compensate)")},
        {OperatorAction::CancelBranch, "process-stop", tr("Cancel branch")},
        {OperatorAction::Resolve, "dialog-ok-apply", tr("Resolve operation…")},
        {OperatorAction::MarkFailed, "dialog-error", tr("Mark failed")}};
    for (const auto &[action, icon, label] : actions) {
        auto *b = new QPushButton(models::themeIcon(QString::fromLatin1(icon)), label, this);
        b->setObjectName(QString::fromStdString(toString(action)));
        m_buttons.insert(action, b);
        buttons->addWidget(b);
        connect(b, &QPushButton::clicked, this, [this, a = action] { startAction(a); });
    }
    buttons->addStretch();

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_header);
    layout->addLayout(buttons);
    layout->addWidget(m_tabs, 1);

    // The retry countdowns in the branch table move every second without touching the model.
    auto *tick = new QTimer(this);
    connect(tick, &QTimer::timeout, m_tree->viewport(), qOverload<>(&QWidget::update));
    tick->start(1000);
    m_refreshTimer->setSingleShot(true);
    m_refreshTimer->setInterval(150);
    connect(m_refreshTimer, &QTimer::timeout, this, &TransactionDetailWidget::refresh);
    connect(m_tree->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &TransactionDetailWidget::updateButtons);
    // Clicking a node selects its branch, so "Cancel branch" applies to it.
    connect(m_graph, &BranchGraphView::branchClicked, this, [this](const QString &id) {
        for (int r = 0; r < m_model->rowCount(); ++r) {
            const QModelIndex i = m_model->index(r, 0);
            if (i.data(models::TransactionDetailModel::BranchIdRole).toString() == id)
                m_tree->setCurrentIndex(i);
        }
    });
    updateButtons();
}

QString TransactionDetailWidget::headerText() const { return m_header->text(); }

void TransactionDetailWidget::showTab(const QString &name)
{
    for (int i = 0; i < m_tabs->count(); ++i)
        if (m_tabs->tabText(i).compare(name, Qt::CaseInsensitive) == 0)
            m_tabs->setCurrentIndex(i);
}

void TransactionDetailWidget::showTransaction(const QString &gid)
{
    if (gid == m_gid)
        return;
    m_gid = gid;
    m_events->clear();
    refresh();
}

void TransactionDetailWidget::onEvents(const std::vector<Event> &events)
{
    if (m_gid.isEmpty())
        return;
    const std::string gid = m_gid.toStdString();
    bool mine = false;
    for (const Event &e : events) {
        if (e.summary.gid != gid)
            continue;
        mine = true;
        QString text = tr("#%1 %2 %3")
                           .arg(e.seq)
                           .arg(QDateTime::fromMSecsSinceEpoch(e.atMs).toString(
                                    QStringLiteral("HH:mm:ss.zzz")),
                                QString::fromStdString(toString(e.summary.status)));
        if (!e.branchId.empty())
            text += QStringLiteral("  %1/%2 %3")
                        .arg(QString::fromStdString(e.branchId),
                             e.op ? QString::fromStdString(toString(*e.op)) : QString(),
                             e.opStatus ? QString::fromStdString(toString(*e.opStatus))
                                        : QString());
        if (!e.message.empty())
            text += QStringLiteral("  — ") + QString::fromStdString(e.message);
        m_events->addItem(text);
    }
    if (mine && !m_refreshTimer->isActive())
        m_refreshTimer->start();
}

void TransactionDetailWidget::refresh()
{
    if (m_gid.isEmpty())
        return;
    if (m_fetching) {
        m_fetchAgain = true;
        return;
    }
    m_fetching = true;
    QPointer<TransactionDetailWidget> self = this;
    const QString gid = m_gid;
    m_client.fetchTransaction(gid, [self, gid](const Transaction &tx, const absl::Status &status) {
        if (!self)
            return;
        const QString error = client::errorText(status);
        self->m_fetching = false;
        if (gid != self->m_gid)
            return self->refresh();
        if (!error.isEmpty()) {
            self->m_header->setText(
                tr("<b>%1</b>: %2").arg(gid.toHtmlEscaped(), error.toHtmlEscaped()));
        } else {
            const TxSummary &s = tx.summary;
            QString text = tr("<b>%1</b> &nbsp; %2 %3 &nbsp; <b>%4</b>")
                               .arg(QString::fromStdString(s.gid).toHtmlEscaped(),
                                    QString::fromStdString(toString(s.type)),
                                    QString::fromStdString(s.flowName).toHtmlEscaped(),
                                    QString::fromStdString(toString(s.status)));
            text += tr("<br>started through %1 · created %2 · updated %3 · finished %4")
                        .arg(models::originText(s.origin), when(s.createdMs), when(s.updatedMs),
                             when(s.finishedMs));
            if (!isFinal(s.status))
                text += tr(" · next retry %1%2")
                            .arg(when(s.nextRetryMs), s.retryPaused ? tr(" (paused)") : QString());
            if (!s.businessKey.empty())
                text += tr("<br>business key: %1")
                            .arg(QString::fromStdString(s.businessKey).toHtmlEscaped());
            if (!s.rollbackReason.empty())
                text += tr("<br>rollback reason: %1")
                            .arg(QString::fromStdString(s.rollbackReason).toHtmlEscaped());
            if (!s.stuckReason.empty())
                text += tr("<br><span style='color:#b71c1c'><b>stuck: %1</b> — %2</span>")
                            .arg(QString::fromStdString(s.stuckReason),
                                 QString::fromStdString(stuck::suggestedAction(s.stuckReason))
                                     .toHtmlEscaped());
            self->m_header->setText(text);
            const bool first = self->m_model->transaction().summary.gid != tx.summary.gid;
            self->m_model->setTransaction(tx);
            if (first)
                self->m_tree->expandAll();
            self->m_timeline->setTransaction(tx);
            self->m_graph->setTransaction(tx);
            emit self->transactionLoaded(gid);
        }
        self->updateButtons();
        if (self->m_fetchAgain) {
            self->m_fetchAgain = false;
            self->refresh();
        }
    });
}

void TransactionDetailWidget::updateButtons()
{
    const Transaction &tx = m_model->transaction();
    const bool loaded = !m_gid.isEmpty() && tx.summary.gid == m_gid.toStdString();
    const QModelIndex current = m_tree->currentIndex();
    const std::string branch =
        current.data(models::TransactionDetailModel::BranchIdRole).toString().toStdString();
    const QVariant opData = current.data(models::TransactionDetailModel::OpRole);
    const QString role = m_client.role();
    for (auto it = m_buttons.begin(); it != m_buttons.end(); ++it) {
        const OperatorAction action = it.key();
        QString why;
        if (!loaded)
            why = tr("Select a transaction first");
        else if (role == QLatin1String("viewer")
                 || (role == QLatin1String("operator") && requiredRole(action) == Role::Admin))
            why = tr("Your role (%1) may not do this").arg(role);
        else if (action == OperatorAction::CancelBranch && branch.empty())
            why = tr("Select a branch in the Branches tab");
        else if (action == OperatorAction::Resolve && !opData.isValid())
            why = tr("Select an operation in the Branches tab");
        else
            why = QString::fromStdString(whyNot(
                tx, action, branch, opData.isValid() ? OpKind(opData.toInt()) : OpKind::Action,
                OpStatus::Skipped));
        it.value()->setEnabled(why.isEmpty());
        it.value()->setToolTip(why);
    }
}

void TransactionDetailWidget::startAction(OperatorAction action)
{
    ActionCommand cmd;
    cmd.action = action;
    cmd.gid = m_gid.toStdString();
    const QModelIndex current = m_tree->currentIndex();
    cmd.branchId =
        current.data(models::TransactionDetailModel::BranchIdRole).toString().toStdString();
    if (action == OperatorAction::Resolve) {
        cmd.op = OpKind(current.data(models::TransactionDetailModel::OpRole).toInt());
        bool ok = false;
        const QString as = QInputDialog::getItem(this, tr("Resolve operation"),
                                                 tr("Mark %1/%2 as:")
                                                     .arg(QString::fromStdString(cmd.branchId),
                                                          QString::fromStdString(toString(cmd.op))),
                                                 {tr("skipped"), tr("succeeded")}, 0, false, &ok);
        if (!ok)
            return;
        cmd.as = as == tr("succeeded") ? OpStatus::Succeeded : OpStatus::Skipped;
    }
    auto *dialog = new ActionDialog(m_client, cmd, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &ActionDialog::finishedAction, this, [this] { refresh(); });
    dialog->open();
}

}  // namespace txdesk::ui
