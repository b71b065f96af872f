#pragma once

#include "client/failureexplorer.h"
#include "document/flowdocument.h"

#include <QDialog>

#include <optional>

class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableView;

namespace txdesk::models {
class ExploreMatrixModel;
}

namespace txdesk::ui {

// Designer ▸ Explore failures…: the flow run once per failure point (every operation × business
// failure, transient error, slow, answer lost) against its real services on the connected
// coordinator, each path judged — status, undos in order, invariants before/after, barrier
// findings — in a matrix with the red paths first. Clicking a row opens that run in the monitor.
// The invariants and barrier tables are the flow's own: kept in its file's layout section.
class ExploreFailuresDialog : public QDialog
{
    Q_OBJECT

public:
    ExploreFailuresDialog(const client::CoordinatorClient &coordinator,
                          document::FlowDocument &document, QWidget *parent = nullptr);
    ~ExploreFailuresDialog() override;

    // The checks as the editors hold them ("DSN | SQL" or "GET URL" lines; DSN lines), or an
    // error naming the line that is neither.
    static std::optional<document::ExploreChecks> parseChecks(const QString &invariants,
                                                              const QString &barriers,
                                                              QString *error);
    static QString invariantsText(const document::ExploreChecks &checks);

    void setChecksText(const QString &invariants, const QString &barriers = {});
    void setPathTimeoutSeconds(int seconds);
    void explore();  // what the Explore button does
    bool running() const { return m_explorer.running(); }
    bool saveReport(const QString &path) const;  // Markdown, or JSON for *.json
    const models::ExploreMatrixModel *matrix() const { return m_model; }
    QString summaryText() const;
    QString errorText() const;  // what stopped the run, or a note of the report; empty if none
    int pointCount() const { return m_points; }

signals:
    void transactionRequested(const QString &gid);
    void explorationFinished();

private:
    void setRunning(bool running);
    void showError(const QString &text);

    const client::CoordinatorClient &m_coordinator;  // its endpoint when a run starts
    document::FlowDocument &m_document;
    client::FailureExplorer m_explorer;
    std::optional<coord::explore::ExploreReport> m_report;
    int m_points = 0;
    QLabel *m_plan;
    QPlainTextEdit *m_invariants;
    QPlainTextEdit *m_barriers;
    QSpinBox *m_parallel;
    QSpinBox *m_timeout;
    QPushButton *m_explore;
    QPushButton *m_stop;
    QPushButton *m_save;
    QProgressBar *m_progress;
    QLabel *m_summary;
    QLabel *m_error;
    models::ExploreMatrixModel *m_model;
    QTableView *m_view;
};

}  // namespace txdesk::ui
