#pragma once

#include "domain/operator.h"

#include <QDialog>

class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QTreeWidget;

namespace txdesk::client {
class CoordinatorClient;
}

namespace txdesk::ui {

// Asks the coordinator for the plan of an operator action (dry run), shows it, takes a reason,
// runs the action and shows the outcome.
class ActionDialog : public QDialog
{
    Q_OBJECT

public:
    ActionDialog(client::CoordinatorClient &client, coord::domain::ActionCommand command,
                 QWidget *parent = nullptr);

    QString outcomeText() const;
    QString planText() const;

signals:
    void finishedAction(bool ok, const QString &message);

private:
    void showPlan(const coord::domain::ActionPlan &plan);
    void run();

    client::CoordinatorClient &m_client;
    coord::domain::ActionCommand m_command;
    QLabel *m_title;
    QTreeWidget *m_steps;
    QLabel *m_warnings;
    QLineEdit *m_reason;
    QLabel *m_outcome;
    QDialogButtonBox *m_buttons;
};

}  // namespace txdesk::ui
