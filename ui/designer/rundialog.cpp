#include "rundialog.h"

#include "client/coordinatorclient.h"
#include "document/flowfile.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPointer>
#include <QPushButton>
#include <QVBoxLayout>

namespace txdesk::ui {

using coord::domain::OpKind;

namespace {
// Fault name and the sim:// parameters it adds to the branch's first-phase endpoint.
const std::vector<std::pair<QString, QString>> &faults()
{
    static const std::vector<std::pair<QString, QString>> list = {
        {QObject::tr("as designed"), {}},
        {QObject::tr("fail (business FAILURE)"), QStringLiteral("fail=1")},
        {QObject::tr("ONGOING twice, then succeed"), QStringLiteral("ongoing_first=2")},
        {QObject::tr("transient errors 3 times"), QStringLiteral("transient_first=3")},
        {QObject::tr("hang (time out)"), QStringLiteral("hang=1")},
        {QObject::tr("slow (2 s)"), QStringLiteral("latency=2s")}};
    return list;
}
}  // namespace

RunDialog::RunDialog(client::CoordinatorClient &client, const document::FlowData &data,
                     QWidget *parent)
    : QDialog(parent),
      m_client(client),
      m_data(data),
      m_gid(new QLineEdit(this)),
      m_businessKey(new QLineEdit(this)),
      m_status(new QLabel(this))
{
    setWindowTitle(tr("Run %1").arg(data.name));
    m_gid->setPlaceholderText(tr("generated"));
    m_businessKey->setPlaceholderText(tr("e.g. order 1001 (searchable in the monitor)"));
    auto *form = new QFormLayout;
    form->addRow(tr("Gid"), m_gid);
    form->addRow(tr("Business key"), m_businessKey);
    const OpKind first = coord::flow::firstPhaseOp(data.type);
    for (const document::BranchData &b : data.branches) {
        auto it = b.endpoints.find(first);
        if (it == b.endpoints.end()
            || coord::flow::schemeOf(it->second.toStdString()) != coord::flow::Scheme::Sim)
            continue;
        auto *combo = new QComboBox(this);
        for (const auto &[label, params] : faults())
            combo->addItem(label, params);
        m_faults[b.id] = combo;
        form->addRow(tr("Fault in %1").arg(b.id), combo);
    }
    if (m_faults.empty())
        form->addRow(new QLabel(tr("<i>Fault injection applies to sim:// branches.</i>"), this));
    m_status->setWordWrap(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Run"));
    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_status);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons, &QDialogButtonBox::accepted, this, &RunDialog::run);
}

void RunDialog::setFault(const QString &branchId, int index)
{
    if (auto it = m_faults.find(branchId); it != m_faults.end())
        it->second->setCurrentIndex(index);
}

document::FlowData RunDialog::withFaults() const
{
    document::FlowData d = m_data;
    const OpKind first = coord::flow::firstPhaseOp(d.type);
    for (document::BranchData &b : d.branches) {
        auto it = m_faults.find(b.id);
        if (it == m_faults.end())
            continue;
        const QString params = it->second->currentData().toString();
        if (params.isEmpty())
            continue;
        QString &endpoint = b.endpoints[first];
        endpoint += (endpoint.contains(QLatin1Char('?')) ? QLatin1Char('&') : QLatin1Char('?'))
            + params;
    }
    return d;
}

void RunDialog::run()
{
    QString error;
    const QByteArray json = document::flowJson(withFaults(), &error);
    if (json.isEmpty()) {
        m_status->setText(tr("Cannot run: %1").arg(error));
        return;
    }
    m_status->setText(tr("Submitting…"));
    QPointer<RunDialog> self = this;
    m_client.submit(json, m_gid->text().trimmed(), m_businessKey->text().trimmed(),
                    [self](const coord::domain::Transaction &tx, const absl::Status &status) {
                        if (!self)
                            return;
                        const QString error = client::errorText(status);
                        if (!error.isEmpty()) {
                            self->m_status->setText(
                                tr("The coordinator refused it: %1").arg(error));
                            return;
                        }
                        emit self->submitted(QString::fromStdString(tx.summary.gid));
                        self->accept();
                    });
}

}  // namespace txdesk::ui
