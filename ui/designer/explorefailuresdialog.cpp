#include "explorefailuresdialog.h"

#include "document/flowfile.h"
#include "explore/explorereport.h"
#include "explore/failurepoints.h"
#include "models/explorematrixmodel.h"
#include "models/themeicons.h"

#include <QDialogButtonBox>
#include <QFile>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTableView>
#include <QVBoxLayout>

namespace txdesk::ui {

using models::ExploreMatrixModel;

namespace {

coord::explore::ExploreOptions optionsOf(const document::ExploreChecks &checks, int parallel,
                                         int timeoutSeconds)
{
    coord::explore::ExploreOptions o;
    o.parallel = parallel;
    o.pathTimeout = std::chrono::seconds(timeoutSeconds);
    for (const document::InvariantData &i : checks.invariants)
        o.invariants.push_back({i.dsn.toStdString(), i.sql.toStdString(), i.url.toStdString()});
    for (const QString &dsn : checks.barrierDsns)
        o.barriers.push_back({dsn.toStdString(), {}});
    return o;
}

}  // namespace

ExploreFailuresDialog::ExploreFailuresDialog(const client::CoordinatorClient &coordinator,
                                             document::FlowDocument &document, QWidget *parent)
    : QDialog(parent),
      m_coordinator(coordinator),
      m_document(document),
      m_plan(new QLabel(this)),
      m_invariants(new QPlainTextEdit(this)),
      m_barriers(new QPlainTextEdit(this)),
      m_parallel(new QSpinBox(this)),
      m_timeout(new QSpinBox(this)),
      m_explore(new QPushButton(models::themeIcon(QStringLiteral("media-playback-start")),
                                tr("&Explore"), this)),
      m_stop(new QPushButton(models::themeIcon(QStringLiteral("process-stop")), tr("&Stop"), this)),
      m_save(new QPushButton(models::themeIcon(QStringLiteral("document-save")),
                             tr("Save &report…"), this)),
      m_progress(new QProgressBar(this)),
      m_summary(new QLabel(this)),
      m_error(new QLabel(this)),
      m_model(new ExploreMatrixModel(this)),
      m_view(new QTableView(this))
{
    setWindowTitle(tr("Explore failures — %1").arg(document.data().name));
    setObjectName(QStringLiteral("exploreFailuresDialog"));
    std::vector<coord::flow::FlowIssue> issues;
    if (auto flow = m_document.toDefinition(&issues))
        m_points = static_cast<int>(coord::explore::failurePoints(*flow).size());
    m_plan->setText(
        tr("%n failure point(s): every operation × business failure (actions and tries), "
           "transient error, slow (past the request timeout) and answer lost (the call takes "
           "effect, its answer is discarded). An undo's rollback is forced by a business failure "
           "of the last branch. Each path runs as its own transaction on the connected "
           "coordinator, against the flow's real services.",
           nullptr, m_points));
    m_plan->setWordWrap(true);

    m_invariants->setPlaceholderText(
        tr("One per line; each must read the same after every path as before it:\n"
           "/srv/bank/bank.db | SELECT sum(balance) FROM account\n"
           "postgres://bank@db/bank | SELECT sum(balance) FROM account\n"
           "GET http://127.0.0.1:8081/api/accounts"));
    m_invariants->setObjectName(QStringLiteral("invariants"));
    m_barriers->setPlaceholderText(tr("Optional, one per line: a service's barrier database "
                                      "(SQLite path, postgres://…, mysql://…)"));
    m_barriers->setObjectName(QStringLiteral("barriers"));
    for (QPlainTextEdit *edit : {m_invariants, m_barriers}) {
        edit->setTabChangesFocus(true);
        edit->setLineWrapMode(QPlainTextEdit::NoWrap);
    }
    m_invariants->setFixedHeight(fontMetrics().lineSpacing() * 5);
    m_barriers->setFixedHeight(fontMetrics().lineSpacing() * 3);
    m_parallel->setRange(1, 16);
    m_parallel->setToolTip(tr("Paths at once; with invariants paths run one at a time, so a "
                              "change belongs to the path that made it"));
    m_timeout->setRange(1, 3600);
    m_timeout->setSuffix(tr(" s"));
    m_timeout->setToolTip(tr("A path that has not ended by then is red"));
    auto *form = new QFormLayout;
    form->addRow(tr("&Invariants:"), m_invariants);
    form->addRow(tr("&Barrier tables:"), m_barriers);
    auto *limits = new QHBoxLayout;
    limits->addWidget(m_parallel);
    auto *timeoutLabel = new QLabel(tr("Path &timeout:"), this);
    timeoutLabel->setBuddy(m_timeout);
    limits->addWidget(timeoutLabel);
    limits->addWidget(m_timeout);
    limits->addStretch(1);
    auto *parallelLabel = new QLabel(tr("&Parallel paths:"), this);
    parallelLabel->setBuddy(m_parallel);
    form->addRow(parallelLabel, limits);

    auto *runRow = new QHBoxLayout;
    runRow->addWidget(m_explore);
    runRow->addWidget(m_stop);
    runRow->addWidget(m_progress, 1);
    runRow->addWidget(m_summary);
    runRow->addWidget(m_save);
    m_progress->setRange(0, std::max(m_points, 1));
    m_progress->setValue(0);
    m_progress->setFormat(QStringLiteral("%v / %m"));
    m_error->setWordWrap(true);
    m_error->setStyleSheet(QStringLiteral("color: #b3261e"));
    m_error->hide();

    m_save->setObjectName(QStringLiteral("saveReport"));
    m_view->setModel(m_model);
    m_view->setObjectName(QStringLiteral("matrix"));
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    connect(m_view, &QTableView::clicked, this, [this](const QModelIndex &index) {
        emit transactionRequested(index.data(ExploreMatrixModel::GidRole).toString());
    });
    auto *hint = new QLabel(tr("Red: the path did not end, ended against the flow's semantics, "
                               "changed an invariant or left a barrier problem. Click a row to "
                               "open its run in the monitor."),
                            this);
    hint->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_plan);
    layout->addLayout(form);
    layout->addLayout(runRow);
    layout->addWidget(m_error);
    layout->addWidget(m_view, 1);
    layout->addWidget(hint);
    layout->addWidget(buttons);
    resize(1320, 720);

    connect(m_explore, &QPushButton::clicked, this, &ExploreFailuresDialog::explore);
    connect(m_stop, &QPushButton::clicked, &m_explorer, &client::FailureExplorer::cancel);
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save the report"), m_document.data().name + QStringLiteral("-failures.md"),
            tr("Markdown (*.md);;JSON (*.json)"));
        if (!path.isEmpty() && !saveReport(path))
            showError(tr("Cannot write %1").arg(path));
    });
    connect(&m_explorer, &client::FailureExplorer::pathFinished, this,
            [this](int done, int total, const coord::explore::PathResult &path) {
                m_model->add(path);
                m_progress->setRange(0, total);
                m_progress->setValue(done);
                m_summary->setText(summaryText());
            });
    connect(&m_explorer, &client::FailureExplorer::finished, this,
            [this](const coord::explore::ExploreReport &report, const QString &error) {
                if (!error.isEmpty()) {
                    showError(tr("Nothing explored: %1").arg(error));
                } else {
                    m_report = report;
                    m_model->reset(report.paths);  // with the barrier findings
                    if (!report.notes.empty())
                        showError(QString::fromStdString(report.notes.front()));
                }
                setRunning(false);  // Save report is there once a report is
                m_summary->setText(summaryText());
                m_view->resizeColumnsToContents();
                emit explorationFinished();
            });

    const document::ExploreChecks &checks = m_document.data().explore;
    m_invariants->setPlainText(invariantsText(checks));
    m_barriers->setPlainText(checks.barrierDsns.join(QLatin1Char('\n')));
    QSettings settings;
    m_parallel->setValue(settings.value(QStringLiteral("explore/parallel"), 2).toInt());
    m_timeout->setValue(settings.value(QStringLiteral("explore/pathTimeoutS"), 60).toInt());
    setRunning(false);
}

ExploreFailuresDialog::~ExploreFailuresDialog()
{
    QSettings settings;
    settings.setValue(QStringLiteral("explore/parallel"), m_parallel->value());
    settings.setValue(QStringLiteral("explore/pathTimeoutS"), m_timeout->value());
}

std::optional<document::ExploreChecks> ExploreFailuresDialog::parseChecks(const QString &invariants,
                                                                          const QString &barriers,
                                                                          QString *error)
{
    document::ExploreChecks checks;
    int number = 0;
    for (const QString &raw : invariants.split(QLatin1Char('\n'))) {
        ++number;
        const QString line = raw.trimmed();
        if (line.isEmpty())
            continue;
        if (line.startsWith(QLatin1String("GET "), Qt::CaseInsensitive)) {
            checks.invariants.push_back({{}, {}, line.mid(4).trimmed()});
            continue;
        }
        const qsizetype bar = line.indexOf(QLatin1String(" | "));
        if (bar <= 0 || line.mid(bar + 3).trimmed().isEmpty()) {
            *error =
                tr("invariant line %1: expected \"DATABASE | QUERY\" or \"GET URL\"").arg(number);
            return std::nullopt;
        }
        checks.invariants.push_back({line.left(bar).trimmed(), line.mid(bar + 3).trimmed(), {}});
    }
    for (const QString &raw : barriers.split(QLatin1Char('\n')))
        if (!raw.trimmed().isEmpty())
            checks.barrierDsns << raw.trimmed();
    return checks;
}

QString ExploreFailuresDialog::invariantsText(const document::ExploreChecks &checks)
{
    QStringList lines;
    for (const document::InvariantData &i : checks.invariants)
        lines << (i.url.isEmpty() ? i.dsn + QStringLiteral(" | ") + i.sql
                                  : QStringLiteral("GET ") + i.url);
    return lines.join(QLatin1Char('\n'));
}

void ExploreFailuresDialog::setChecksText(const QString &invariants, const QString &barriers)
{
    m_invariants->setPlainText(invariants);
    m_barriers->setPlainText(barriers);
}

void ExploreFailuresDialog::setPathTimeoutSeconds(int seconds) { m_timeout->setValue(seconds); }

void ExploreFailuresDialog::explore()
{
    m_error->hide();
    QString error;
    auto checks = parseChecks(m_invariants->toPlainText(), m_barriers->toPlainText(), &error);
    if (!checks)
        return showError(error);
    const QByteArray flow = document::flowJson(m_document.data(), &error);
    if (flow.isEmpty())
        return showError(tr("The flow cannot be sent: %1").arg(error));
    if (m_points == 0)
        return showError(tr("The flow has no operation to fail."));
    m_document.setExploreChecks(*checks);  // the flow's own: saved with its layout
    m_model->clear();
    m_report.reset();
    m_progress->setRange(0, m_points);
    m_progress->setValue(0);
    setRunning(true);
    m_summary->setText(summaryText());
    m_explorer.start(m_coordinator.endpoint(), flow,
                     optionsOf(*checks, m_parallel->value(), m_timeout->value()));
}

bool ExploreFailuresDialog::saveReport(const QString &path) const
{
    if (!m_report)
        return false;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    const std::string text = path.endsWith(QLatin1String(".json"), Qt::CaseInsensitive)
        ? coord::explore::toJsonText(*m_report)
        : coord::explore::toMarkdown(*m_report);
    return file.write(text.data(), static_cast<qint64>(text.size()))
        == static_cast<qint64>(text.size());
}

QString ExploreFailuresDialog::summaryText() const
{
    const int done = m_model->rowCount();
    QString text = tr("%1 of %2 path(s), %3 red").arg(done).arg(m_points).arg(m_model->redCount());
    if (m_report && m_report->cancelled)
        text += tr(" (stopped)");
    return text;
}

QString ExploreFailuresDialog::errorText() const
{
    return m_error->isHidden() ? QString() : m_error->text();
}

void ExploreFailuresDialog::setRunning(bool running)
{
    m_explore->setEnabled(!running);
    m_stop->setEnabled(running);
    m_save->setEnabled(!running && m_report.has_value());
    m_invariants->setReadOnly(running);
    m_barriers->setReadOnly(running);
}

void ExploreFailuresDialog::showError(const QString &text)
{
    m_error->setText(text);
    m_error->show();
}

}  // namespace txdesk::ui
