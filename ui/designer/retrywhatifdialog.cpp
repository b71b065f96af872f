#include "retrywhatifdialog.h"

#include "models/niceaxis.h"
#include "models/statuscolors.h"

#include <QChart>
#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QScatterSeries>
#include <QSpinBox>
#include <QVBoxLayout>
#include <QValueAxis>

namespace txdesk::ui {

using coord::domain::RetryWhatIfEnd;

namespace {

QSpinBox *spin(QWidget *parent, int max, const QString &suffix, const QString &special = {})
{
    auto *s = new QSpinBox(parent);
    s->setRange(0, max);
    s->setSuffix(suffix);
    s->setSpecialValueText(special);
    s->setAccelerated(true);
    return s;
}

QString duration(qint64 ms)
{
    if (ms < 10'000)
        return QCoreApplication::translate("RetryWhatIfDialog", "%1 s").arg(ms / 1000.0, 0, 'f', 1);
    if (ms < 600'000)
        return QCoreApplication::translate("RetryWhatIfDialog", "%1 s").arg(ms / 1000);
    return QCoreApplication::translate("RetryWhatIfDialog", "%1 min").arg(ms / 60'000.0, 0, 'f', 1);
}

}  // namespace

RetryWhatIfDialog::RetryWhatIfDialog(const document::FlowData &flow, QWidget *parent)
    : QDialog(parent),
      m_flow(flow),
      m_branch(new QComboBox(this)),
      m_downMinutes(spin(this, 24 * 60, tr(" min"), tr("up all along"))),
      m_interval(spin(this, 3'600'000, tr(" ms"))),
      m_timeout(spin(this, 864'000'000, tr(" ms"), tr("never"))),
      m_maxRetries(spin(this, 1'000'000, QString(), tr("unlimited"))),
      m_requestTimeout(spin(this, 3'600'000, tr(" ms"))),
      m_backoffCap(spin(this, 86'400'000, tr(" ms"))),
      m_hangs(new QCheckBox(tr("calls hang (each waits the request timeout) instead of failing "
                               "at once"),
                            this)),
      m_summary(new QLabel(this)),
      m_chart(new QChart),
      m_failed(new QScatterSeries(m_chart)),
      m_succeeded(new QScatterSeries(m_chart)),
      m_back(new QLineSeries(m_chart)),
      m_end(new QLineSeries(m_chart)),
      m_x(new QValueAxis(m_chart)),
      m_y(new QValueAxis(m_chart))
{
    setWindowTitle(tr("Retry what-if — %1").arg(flow.name));
    for (const document::BranchData &b : flow.branches)
        m_branch->addItem(b.name.isEmpty() ? b.id : tr("%1 — %2").arg(b.id, b.name), b.id);
    m_interval->setMinimum(10);
    m_requestTimeout->setMinimum(1);
    m_backoffCap->setMinimum(100);
    m_backoffCap->setValue(int(coord::domain::RetryWhatIfInput{}.maxBackoffMs));
    m_backoffCap->setToolTip(tr("The coordinator's engine.max_backoff_ms: the longest wait "
                                "between two retries"));
    m_downMinutes->setValue(10);
    takeBranchOptions();

    auto *form = new QFormLayout;
    form->addRow(tr("Branch whose participant is down"), m_branch);
    form->addRow(tr("Down for"), m_downMinutes);
    form->addRow(QString(), m_hangs);
    form->addRow(tr("retry_interval_ms"), m_interval);
    form->addRow(tr("timeout_to_fail_ms"), m_timeout);
    form->addRow(tr("max_retries"), m_maxRetries);
    form->addRow(tr("request_timeout_ms"), m_requestTimeout);
    form->addRow(tr("Backoff cap (coordinator)"), m_backoffCap);

    m_failed->setName(tr("attempt fails"));
    m_failed->setColor(models::colorOf(coord::domain::AttemptOutcome::Transient));
    m_failed->setMarkerSize(9);
    m_succeeded->setName(tr("attempt succeeds"));
    m_succeeded->setColor(models::colorOf(coord::domain::AttemptOutcome::Success));
    m_succeeded->setMarkerSize(12);
    m_back->setName(tr("participant back"));
    m_back->setPen(
        QPen(models::colorOf(coord::domain::AttemptOutcome::Success), 1.5, Qt::DashLine));
    m_end->setName(tr("flow gives up, rolls back"));
    m_end->setPen(QPen(models::colorOf(coord::domain::AttemptOutcome::Failure), 2, Qt::DashLine));
    for (QAbstractSeries *s :
         std::initializer_list<QAbstractSeries *>{m_failed, m_succeeded, m_back, m_end})
        m_chart->addSeries(s);
    m_x->setTitleText(tr("seconds after the transaction started"));
    m_x->setLabelFormat(QStringLiteral("%g"));
    m_y->setTitleText(tr("attempt"));
    m_y->setLabelFormat(QStringLiteral("%d"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (QAbstractSeries *s : m_chart->series()) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    auto *view = new QChartView(m_chart, this);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumSize(560, 320);

    m_summary->setWordWrap(true);
    m_summary->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *top = new QHBoxLayout;
    top->addLayout(form);
    top->addWidget(view, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top, 1);
    layout->addWidget(m_summary);
    layout->addWidget(buttons);

    connect(m_branch, &QComboBox::currentIndexChanged, this, [this] {
        takeBranchOptions();
        recompute();
    });
    for (QSpinBox *s :
         {m_downMinutes, m_interval, m_timeout, m_maxRetries, m_requestTimeout, m_backoffCap})
        connect(s, &QSpinBox::valueChanged, this, &RetryWhatIfDialog::recompute);
    connect(m_hangs, &QCheckBox::toggled, this, &RetryWhatIfDialog::recompute);
    recompute();
}

// The flow's options, with the chosen branch's own max_retries and request timeout if it has.
void RetryWhatIfDialog::takeBranchOptions()
{
    const coord::domain::TxOptions &o = m_flow.options;
    int maxRetries = o.maxRetries;
    qint64 requestTimeout = o.requestTimeoutMs;
    for (const document::BranchData &b : m_flow.branches)
        if (b.id == m_branch->currentData().toString()) {
            maxRetries = b.maxRetries >= 0 ? b.maxRetries : maxRetries;
            requestTimeout = b.requestTimeoutMs > 0 ? b.requestTimeoutMs : requestTimeout;
        }
    const QSignalBlocker blockers[] = {QSignalBlocker(m_interval), QSignalBlocker(m_timeout),
                                       QSignalBlocker(m_maxRetries),
                                       QSignalBlocker(m_requestTimeout)};
    m_interval->setValue(int(o.retryIntervalMs));
    m_timeout->setValue(int(o.timeoutToFailMs));
    m_maxRetries->setValue(maxRetries);
    m_requestTimeout->setValue(int(requestTimeout));
}

coord::domain::RetryWhatIfInput RetryWhatIfDialog::input() const
{
    coord::domain::RetryWhatIfInput in;
    in.retryIntervalMs = m_interval->value();
    in.timeoutToFailMs = m_timeout->value();
    in.maxRetries = m_maxRetries->value();
    in.requestTimeoutMs = m_requestTimeout->value();
    in.maxBackoffMs = m_backoffCap->value();
    in.downForMs = qint64(m_downMinutes->value()) * 60'000;
    in.hangs = m_hangs->isChecked();
    return in;
}

void RetryWhatIfDialog::recompute()
{
    const coord::domain::RetryWhatIfInput in = input();
    m_result = coord::domain::retryWhatIf(in);
    QList<QPointF> failed, succeeded;
    for (int i = 0; i < int(m_result.attempts.size()); ++i) {
        const auto &a = m_result.attempts[i];
        (a.succeeded ? succeeded : failed).append(QPointF(a.startMs / 1000.0, i + 1));
    }
    m_failed->replace(failed);
    m_succeeded->replace(succeeded);
    const double attempts = std::max<double>(m_result.attempts.size(), 1);
    const models::NiceAxis y = models::niceAxis(attempts);
    const bool gaveUp = m_result.end == RetryWhatIfEnd::RetryLimit
        || m_result.end == RetryWhatIfEnd::TimedOut;
    const qint64 lastMs = std::max(m_result.endMs, gaveUp ? m_result.endMs : in.downForMs);
    const models::NiceAxis x = models::niceAxis(std::max(lastMs, qint64(1000)) / 1000.0 * 1.05);
    m_back->replace({QPointF(in.downForMs / 1000.0, 0), QPointF(in.downForMs / 1000.0, y.top)});
    m_back->setVisible(in.downForMs > 0 && !gaveUp);
    m_end->replace({QPointF(m_result.endMs / 1000.0, 0), QPointF(m_result.endMs / 1000.0, y.top)});
    m_end->setVisible(gaveUp);
    m_x->setRange(0, x.top);
    m_x->setTickCount(x.steps + 1);
    m_y->setRange(0, y.top);
    m_y->setTickCount(y.steps + 1);
    m_summary->setText(summary());
}

QList<QPointF> RetryWhatIfDialog::attemptPoints() const
{
    QList<QPointF> out;
    for (int i = 0; i < int(m_result.attempts.size()); ++i)
        out.append(QPointF(m_result.attempts[i].startMs, i + 1));
    return out;
}

QString RetryWhatIfDialog::summary() const
{
    const int n = int(m_result.attempts.size());
    const QString attempts = tr("%n attempt(s)", nullptr, n);
    switch (m_result.end) {
    case RetryWhatIfEnd::Succeeds: {
        if (n == 1)
            return tr("The first attempt goes through.");
        const qint64 back = input().downForMs;
        const qint64 late = m_result.attempts.back().startMs - back;
        QString text = tr("%1; attempt %2 goes through at %3 and the flow goes on.")
                           .arg(attempts)
                           .arg(n)
                           .arg(duration(m_result.endMs));
        if (late > 0)
            text += tr(" The participant was back at %1: the backoff kept the flow waiting %2 "
                       "longer (the last wait was %3).")
                        .arg(duration(back), duration(late),
                             duration(m_result.attempts.back().startMs
                                      - m_result.attempts[n - 2].endMs));
        return text;
    }
    case RetryWhatIfEnd::RetryLimit:
        return tr("%1, then max_retries (%2) is used up at %3: the flow gives up and rolls back "
                  "(compensations/cancels run) while the participant is still down.")
            .arg(attempts)
            .arg(m_maxRetries->value())
            .arg(duration(m_result.endMs));
    case RetryWhatIfEnd::TimedOut:
        return tr("%1, then timeout_to_fail passes at %2: the flow gives up and rolls back "
                  "while the participant is still down.")
            .arg(attempts)
            .arg(duration(m_result.endMs));
    case RetryWhatIfEnd::StillTrying:
        break;
    }
    return tr("%1 in %2 and still trying: with no max_retries and no timeout_to_fail the "
              "coordinator retries for as long as it takes.")
        .arg(attempts)
        .arg(duration(m_result.endMs));
}

void RetryWhatIfDialog::setDownForMinutes(int minutes) { m_downMinutes->setValue(minutes); }

void RetryWhatIfDialog::setBranch(const QString &id)
{
    m_branch->setCurrentIndex(m_branch->findData(id));
}

void RetryWhatIfDialog::setRetryOptions(qint64 intervalMs, qint64 timeoutToFailMs, int maxRetries,
                                        qint64 requestTimeoutMs)
{
    m_interval->setValue(int(intervalMs));
    m_timeout->setValue(int(timeoutToFailMs));
    m_maxRetries->setValue(maxRetries);
    m_requestTimeout->setValue(int(requestTimeoutMs));
}

void RetryWhatIfDialog::setHangs(bool hangs) { m_hangs->setChecked(hangs); }

}  // namespace txdesk::ui
