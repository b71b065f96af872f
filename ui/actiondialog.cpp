#include "actiondialog.h"

#include "client/coordinatorclient.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace txdesk::ui {

using namespace coord::domain;

ActionDialog::ActionDialog(client::CoordinatorClient &client, ActionCommand command,
                           QWidget *parent)
    : QDialog(parent),
      m_client(client),
      m_command(std::move(command)),
      m_title(new QLabel(this)),
      m_steps(new QTreeWidget(this)),
      m_warnings(new QLabel(this)),
      m_reason(new QLineEdit(this)),
      m_outcome(new QLabel(this)),
      m_buttons(new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this))
{
    const QString action = QString::fromStdString(toString(m_command.action));
    setWindowTitle(tr("%1 — %2").arg(action, QString::fromStdString(m_command.gid)));
    resize(620, 420);
    m_title->setWordWrap(true);
    m_title->setText(tr("Asking the coordinator for the plan…"));
    m_steps->setHeaderLabels({tr("Step"), tr("Branch"), tr("Operation"), tr("Endpoint")});
    m_steps->setRootIsDecorated(false);
    m_warnings->setWordWrap(true);
    m_warnings->setStyleSheet(QStringLiteral("color: #b71c1c; font-weight: bold;"));
    m_reason->setPlaceholderText(tr("Why? (required, recorded in the audit log)"));
    m_outcome->setWordWrap(true);
    QPushButton *ok = m_buttons->button(QDialogButtonBox::Ok);
    ok->setText(tr("Run %1").arg(action));
    ok->setEnabled(false);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_steps, 1);
    layout->addWidget(m_warnings);
    auto *form = new QFormLayout;
    form->addRow(tr("Reason:"), m_reason);
    layout->addLayout(form);
    layout->addWidget(m_outcome);
    layout->addWidget(m_buttons);

    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &ActionDialog::run);
    connect(m_reason, &QLineEdit::textChanged, this, [this, ok](const QString &t) {
        ok->setEnabled(!t.trimmed().isEmpty() && m_steps->isEnabled());
    });

    ActionCommand dry = m_command;
    dry.dryRun = true;
    dry.reason = "dry run";
    QPointer<ActionDialog> self = this;
    m_client.act(dry, [self](const ActionOutcome &outcome, const absl::Status &status) {
        if (!self)
            return;
        const QString error = client::errorText(status);
        if (!error.isEmpty()) {
            self->m_title->setText(tr("The coordinator refuses: %1").arg(error));
            self->m_steps->setEnabled(false);
            return;
        }
        self->showPlan(outcome.plan);
    });
}

void ActionDialog::showPlan(const ActionPlan &plan)
{
    m_title->setText(tr("<b>Plan:</b> %1. The transaction will end %2.")
                         .arg(QString::fromStdString(plan.summary).toHtmlEscaped(),
                              QString::fromStdString(toString(plan.resultingStatus))));
    for (const PlannedOperation &op : plan.operations)
        new QTreeWidgetItem(m_steps,
                            {QString::number(op.step), QString::fromStdString(op.branchId),
                             QString::fromStdString(toString(op.op)),
                             QString::fromStdString(op.endpoint)});
    QStringList warnings;
    for (const std::string &w : plan.warnings)
        warnings << QString::fromStdString(w);
    m_warnings->setText(warnings.join(QLatin1Char('\n')));
    m_warnings->setVisible(!warnings.isEmpty());
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(!m_reason->text().trimmed().isEmpty());
}

void ActionDialog::run()
{
    m_command.dryRun = false;
    m_command.reason = m_reason->text().trimmed().toStdString();
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    m_outcome->setText(tr("Running…"));
    QPointer<ActionDialog> self = this;
    m_client.act(m_command, [self](const ActionOutcome &outcome, const absl::Status &status) {
        if (!self)
            return;
        const QString error = client::errorText(status);
        if (!error.isEmpty()) {
            self->m_outcome->setText(
                tr("<span style='color:#b71c1c'>Refused: %1</span>").arg(error.toHtmlEscaped()));
            emit self->finishedAction(false, error);
            return;
        }
        const QString msg =
            tr("Done. %1 is now %2.")
                .arg(QString::fromStdString(outcome.transaction.summary.gid),
                     QString::fromStdString(toString(outcome.transaction.summary.status)));
        self->m_outcome->setText(msg);
        emit self->finishedAction(true, msg);
        self->m_buttons->setStandardButtons(QDialogButtonBox::Close);
        connect(self->m_buttons, &QDialogButtonBox::rejected, self.data(), &QDialog::accept);
    });
}

QString ActionDialog::outcomeText() const { return m_outcome->text(); }

QString ActionDialog::planText() const { return m_title->text(); }

}  // namespace txdesk::ui
