#pragma once

#include <QFrame>

class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace txdesk::ui {

// A banner above the transactions that says why the coordinator is gone, with its last output
// and a button to start it again.
class CoordinatorBanner : public QFrame
{
    Q_OBJECT

public:
    explicit CoordinatorBanner(QWidget *parent = nullptr);

    void showFailure(const QString &reason, const QString &lastOutput, bool canRestart);
    QString reason() const;
    QString output() const;

signals:
    void restartRequested();

private:
    QLabel *m_reason;
    QPlainTextEdit *m_output;
    QPushButton *m_restart;
};

}  // namespace txdesk::ui
