#include "inspectparticipantdialog.h"

#include "models/findingtablemodel.h"
#include "models/themeicons.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include <algorithm>

namespace txdesk::ui {

using models::FindingTableModel;

namespace {

// What is remembered of the last run: never a password.
QString rememberedDsn(const QString &dsn)
{
    return client::BarrierInspector::hasPassword(dsn) ? QString() : dsn;
}

}  // namespace

InspectParticipantDialog::InspectParticipantDialog(client::CoordinatorClient::Endpoint coordinator,
                                                   QWidget *parent)
    : QDialog(parent),
      m_coordinator(std::move(coordinator)),
      m_dsn(new QLineEdit(this)),
      m_table(new QLineEdit(this)),
      m_participant(new QLineEdit(this)),
      m_inspect(new QPushButton(models::themeIcon(QStringLiteral("database-index")), tr("&Inspect"),
                                this)),
      m_stop(new QPushButton(models::themeIcon(QStringLiteral("process-stop")), tr("&Stop"), this)),
      m_progress(new QProgressBar(this)),
      m_counts(new QLabel(this)),
      m_warning(new QLabel(this)),
      m_problemsOnly(new QCheckBox(tr("&Problems only"), this)),
      m_model(new FindingTableModel(this)),
      m_proxy(new QSortFilterProxyModel(this)),
      m_view(new QTableView(this))
{
    setWindowTitle(tr("Inspect participant"));
    setObjectName(QStringLiteral("inspectParticipantDialog"));
    m_dsn->setPlaceholderText(
        tr("SQLite file, postgres://user@host:5432/db or mysql://user:password@host:3306/db"));
    m_table->setPlaceholderText(tr("barrier in SQLite, dtm_barrier.barrier otherwise"));
    m_participant->setPlaceholderText(tr("optional: the service's host:port, e.g. bank:8081"));
    m_participant->setToolTip(tr("Named, every branch that calls this service is expected in "
                                 "its table, even one that left no row"));
    auto *browse = new QPushButton(models::themeIcon(QStringLiteral("document-open")),
                                   tr("&Browse…"), this);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(this, tr("A service's SQLite database"),
                                                          m_dsn->text());
        if (!file.isEmpty())
            m_dsn->setText(file);
    });
    auto *dsnRow = new QHBoxLayout;
    dsnRow->addWidget(m_dsn, 1);
    dsnRow->addWidget(browse);
    auto *form = new QFormLayout;
    auto *dsnLabel = new QLabel(tr("&Database:"), this);
    dsnLabel->setBuddy(m_dsn);  // a label for a row of widgets needs its buddy named
    form->addRow(dsnLabel, dsnRow);
    form->addRow(tr("&Table:"), m_table);
    form->addRow(tr("S&ervice:"), m_participant);

    auto *runRow = new QHBoxLayout;
    runRow->addWidget(m_inspect);
    runRow->addWidget(m_stop);
    runRow->addWidget(m_progress, 1);
    runRow->addWidget(m_counts);
    m_progress->setRange(0, 1);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_warning->setWordWrap(true);
    m_warning->setStyleSheet(QStringLiteral("color: #b35c00"));
    m_warning->hide();

    m_proxy->setSourceModel(m_model);
    m_proxy->setFilterRole(FindingTableModel::ProblemRole);
    m_proxy->setFilterKeyColumn(FindingTableModel::Kind);
    m_view->setModel(m_proxy);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    connect(m_problemsOnly, &QCheckBox::toggled, this, [this](bool only) {
        m_proxy->setFilterFixedString(only ? QStringLiteral("true") : QString());
    });
    connect(m_view, &QTableView::doubleClicked, this, [this](const QModelIndex &index) {
        emit transactionRequested(index.data(FindingTableModel::GidRole).toString());
    });
    auto *hint = new QLabel(tr("Read only. Double-click a finding to open its transaction in the "
                               "monitor; re-run compensations there with the operator actions."),
                            this);
    hint->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addLayout(runRow);
    layout->addWidget(m_warning);
    layout->addWidget(m_problemsOnly);
    layout->addWidget(m_view, 1);
    layout->addWidget(hint);
    layout->addWidget(buttons);
    resize(1280, 620);

    connect(m_inspect, &QPushButton::clicked, this, &InspectParticipantDialog::inspect);
    connect(m_stop, &QPushButton::clicked, &m_inspector, &client::BarrierInspector::cancel);
    connect(&m_inspector, &client::BarrierInspector::opened, this,
            [this](const QString &table, bool gidIndexed) {
                m_warning->setVisible(!gidIndexed);
                m_warning->setText(
                    gidIndexed ? QString()
                               : tr("%1 has no index that starts with gid: every page reads the "
                                    "whole table (CREATE INDEX … ON it (gid)).")
                                     .arg(table));
            });
    connect(&m_inspector, &client::BarrierInspector::found, m_model, &FindingTableModel::append);
    connect(&m_inspector, &client::BarrierInspector::progressed, this,
            &InspectParticipantDialog::showCounts);
    connect(&m_inspector, &client::BarrierInspector::finished, this,
            [this](const QString &error, bool cancelled) {
                setRunning(false);
                if (!error.isEmpty()) {
                    m_warning->setText(tr("Inspection failed: %1").arg(error));
                    m_warning->show();
                } else if (cancelled) {
                    m_counts->setText(tr("%1 (stopped)").arg(m_counts->text()));
                }
                fitColumns();
                emit inspectionFinished();
            });

    QSettings settings;
    m_dsn->setText(settings.value(QStringLiteral("inspect/dsn")).toString());
    m_table->setText(settings.value(QStringLiteral("inspect/table")).toString());
    m_participant->setText(settings.value(QStringLiteral("inspect/participant")).toString());
    m_problemsOnly->setChecked(settings.value(QStringLiteral("inspect/problemsOnly")).toBool());
    setRunning(false);
}

InspectParticipantDialog::~InspectParticipantDialog()
{
    QSettings settings;
    settings.setValue(QStringLiteral("inspect/dsn"), rememberedDsn(m_dsn->text()));
    settings.setValue(QStringLiteral("inspect/table"), m_table->text());
    settings.setValue(QStringLiteral("inspect/participant"), m_participant->text());
    settings.setValue(QStringLiteral("inspect/problemsOnly"), m_problemsOnly->isChecked());
}

void InspectParticipantDialog::setRequest(const client::BarrierInspector::Request &request)
{
    m_dsn->setText(request.dsn);
    m_table->setText(request.table);
    m_participant->setText(request.participant);
}

void InspectParticipantDialog::inspect()
{
    if (m_dsn->text().trimmed().isEmpty()) {
        m_warning->setText(tr("Name the service's database first."));
        m_warning->show();
        return;
    }
    m_model->clear();
    m_warning->hide();
    showCounts(0, 0, 0, 0);
    setRunning(true);
    m_inspector.start(
        m_coordinator,
        {m_dsn->text().trimmed(), m_table->text().trimmed(), m_participant->text().trimmed()});
}

void InspectParticipantDialog::setRunning(bool running)
{
    m_inspect->setEnabled(!running);
    m_stop->setEnabled(running);
    m_progress->setRange(0, running ? 0 : 1);  // busy while it reads: the size is not known
    m_progress->setValue(running ? 0 : 1);
}

void InspectParticipantDialog::showCounts(qint64 gids, qint64 rows, qint64 problems,
                                          qint64 inFlight)
{
    const QLocale locale;
    m_counts->setText(tr("%1 gids · %2 rows read · %3 problems · %4 in flight")
                          .arg(locale.toString(gids), locale.toString(rows),
                               locale.toString(problems), locale.toString(inFlight)));
}

void InspectParticipantDialog::fitColumns()
{
    m_view->resizeColumnsToContents();
    // The long texts share what is left; the whole of each is in its tooltip.
    const int free = m_view->viewport()->width() - m_view->columnWidth(FindingTableModel::Gid)
        - m_view->columnWidth(FindingTableModel::Branch)
        - m_view->columnWidth(FindingTableModel::Kind);
    const int each = std::max(200, free / 2);
    for (int column : {int(FindingTableModel::Detail), int(FindingTableModel::Suggestion)})
        m_view->setColumnWidth(column, std::min(m_view->columnWidth(column), each));
}

QString InspectParticipantDialog::progressText() const { return m_counts->text(); }

QString InspectParticipantDialog::warningText() const
{
    return m_warning->isHidden() ? QString() : m_warning->text();
}

}  // namespace txdesk::ui
