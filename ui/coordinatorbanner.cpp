#include "coordinatorbanner.h"

#include <QFontDatabase>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace txdesk::ui {

CoordinatorBanner::CoordinatorBanner(QWidget *parent)
    : QFrame(parent),
      m_reason(new QLabel(this)),
      m_output(new QPlainTextEdit(this)),
      m_restart(new QPushButton(tr("Restart coordinator"), this))
{
    setObjectName(QStringLiteral("coordinatorBanner"));
    setStyleSheet(
        QStringLiteral("#coordinatorBanner { background: #fdecea; border: 1px solid #e57373;"
                       " border-radius: 4px; }"));
    m_reason->setWordWrap(true);
    m_reason->setTextInteractionFlags(Qt::TextSelectableByMouse);
    QFont bold = m_reason->font();
    bold.setBold(true);
    m_reason->setFont(bold);
    m_output->setReadOnly(true);
    m_output->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_output->setMaximumHeight(110);
    m_output->setPlaceholderText(tr("(no output)"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_reason, 1);
    top->addWidget(m_restart);
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(new QLabel(tr("Last output of coordinator-lite:"), this));
    layout->addWidget(m_output);
    connect(m_restart, &QPushButton::clicked, this, &CoordinatorBanner::restartRequested);
    hide();
}

void CoordinatorBanner::showFailure(const QString &reason, const QString &lastOutput,
                                    bool canRestart)
{
    m_reason->setText(reason);
    m_output->setPlainText(lastOutput);
    m_restart->setVisible(canRestart);
    show();
}

QString CoordinatorBanner::reason() const { return m_reason->text(); }
QString CoordinatorBanner::output() const { return m_output->toPlainText(); }

}  // namespace txdesk::ui
