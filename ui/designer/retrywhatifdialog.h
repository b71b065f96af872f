#pragma once

#include "document/flowdocument.h"
#include "domain/retryschedule.h"

#include <QDialog>

class QCheckBox;
class QChart;
class QComboBox;
class QLabel;
class QScatterSeries;
class QLineSeries;
class QSpinBox;
class QValueAxis;

namespace txdesk::ui {

// "What happens if this participant is down for 10 minutes?" For the flow's retry options (or
// changed ones, which stay in the dialog), a plot of when each attempt of the chosen branch
// would run and where the flow succeeds or gives up and rolls back — computed by the engine's
// own rules (domain/retryschedule.h).
class RetryWhatIfDialog : public QDialog
{
    Q_OBJECT

public:
    RetryWhatIfDialog(const document::FlowData &flow, QWidget *parent = nullptr);

    // What is plotted, for tests: the inputs, the outcome, and the attempts as (start ms,
    // attempt number) points.
    coord::domain::RetryWhatIfInput input() const;
    const coord::domain::RetryWhatIf &result() const { return m_result; }
    QList<QPointF> attemptPoints() const;
    QString summary() const;

    void setDownForMinutes(int minutes);
    void setBranch(const QString &id);
    void setRetryOptions(qint64 intervalMs, qint64 timeoutToFailMs, int maxRetries,
                         qint64 requestTimeoutMs);
    void setHangs(bool hangs);

private:
    void takeBranchOptions();
    void recompute();

    document::FlowData m_flow;
    QComboBox *m_branch;
    QSpinBox *m_downMinutes, *m_interval, *m_timeout, *m_maxRetries, *m_requestTimeout,
        *m_backoffCap;
    QCheckBox *m_hangs;
    QLabel *m_summary;
    QChart *m_chart;
    QScatterSeries *m_failed, *m_succeeded;
    QLineSeries *m_back, *m_end;
    QValueAxis *m_x, *m_y;
    coord::domain::RetryWhatIf m_result;
};

}  // namespace txdesk::ui
