#include "propertypanel.h"

#include "document/flowfile.h"

#include "client/coordinatorclient.h"

#include <QCheckBox>
#include <QPushButton>
#include <QTimer>
#include <QComboBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QSpinBox>
#include <QStackedWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace txdesk::ui {

using namespace coord::domain;

namespace {
QSpinBox *spin(QWidget *parent, int min, int max, const QString &suffix,
               const QString &special = {})
{
    auto *s = new QSpinBox(parent);
    s->setRange(min, max);
    s->setSuffix(suffix);
    if (!special.isEmpty())
        s->setSpecialValueText(special);
    return s;
}
}  // namespace

PropertyPanel::PropertyPanel(document::FlowDocument &doc, QWidget *parent)
    : QWidget(parent), m_doc(doc), m_stack(new QStackedWidget(this))
{
    m_stack->addWidget(createFlowPage());
    m_stack->addWidget(createBranchPage());
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_stack);
    for (QLineEdit *e : {m_branchId, m_name})
        connect(e, &QLineEdit::editingFinished, this, [this] { commitBranch(tr("Edit branch")); });
    connect(m_payload, &QPlainTextEdit::textChanged, this, &PropertyPanel::checkPayload);
    connect(m_notRollbackable, &QCheckBox::toggled, this,
            [this] { commitBranch(tr("Toggle rollbackable")); });
    for (QSpinBox *s : {m_timeout, m_retries})
        connect(s, &QSpinBox::editingFinished, this, [this] { commitBranch(tr("Edit branch")); });
    connect(m_flowName, &QLineEdit::editingFinished, this, &PropertyPanel::commitFlow);
    connect(m_type, &QComboBox::currentIndexChanged, this, &PropertyPanel::commitFlow);
    for (QSpinBox *s : {m_timeoutToFail, m_retryInterval, m_requestTimeout, m_maxRetries})
        connect(s, &QSpinBox::editingFinished, this, &PropertyPanel::commitFlow);
    connect(m_waitResult, &QCheckBox::toggled, this, &PropertyPanel::commitFlow);
    connect(&m_doc, &document::FlowDocument::changed, this, [this] { load(); });
    load();
}

// The selected branch: id, name, an endpoint per operation (with simulated presets), payload,
// rollbackability, the endpoint check, timeouts.
QWidget *PropertyPanel::createBranchPage()
{
    auto *branchPage = new QWidget(this);
    auto *bf = new QFormLayout(branchPage);
    m_branchId = new QLineEdit(branchPage);
    m_name = new QLineEdit(branchPage);
    bf->addRow(tr("Id"), m_branchId);
    bf->addRow(tr("Name"), m_name);
    for (OpKind op :
         {OpKind::Action, OpKind::Compensate, OpKind::Try, OpKind::Confirm, OpKind::Cancel}) {
        auto *edit = new QLineEdit(branchPage);
        edit->setPlaceholderText(
            QStringLiteral("http://host:port/path · grpc://host:port/pkg.Svc/M · sim://name"));
        auto *helper = new QToolButton(branchPage);
        helper->setText(QStringLiteral("sim"));
        helper->setToolTip(tr("Use a simulated participant"));
        helper->setPopupMode(QToolButton::InstantPopup);
        auto *menu = new QMenu(helper);
        for (const auto &[label, params] : std::vector<std::pair<QString, QString>>{
                 {tr("always succeeds (20 ms)"), QStringLiteral("latency=20ms")},
                 {tr("fails (business FAILURE)"), QStringLiteral("fail=1")},
                 {tr("ONGOING twice, then succeeds"), QStringLiteral("ongoing_first=2")},
                 {tr("transient errors 30% of the time"), QStringLiteral("transient=0.3")},
                 {tr("hangs (times out)"), QStringLiteral("hang=1")}})
            menu->addAction(label, this, [this, edit, op, params = params] {
                edit->setText(QStringLiteral("sim://%1?%2")
                                  .arg(m_id.isEmpty() ? QStringLiteral("sim") : m_id, params));
                commitBranch(tr("Set %1 endpoint").arg(QString::fromStdString(toString(op))));
            });
        helper->setMenu(menu);
        auto *row = new QHBoxLayout;
        row->addWidget(edit, 1);
        row->addWidget(helper);
        bf->addRow(QString::fromStdString(toString(op)), row);
        m_endpoints[op] = edit;
        m_endpointRows[op] = row;
        connect(edit, &QLineEdit::editingFinished, this, [this, op] {
            commitBranch(tr("Set %1 endpoint").arg(QString::fromStdString(toString(op))));
        });
    }
    m_endpointForm = bf;
    m_payload = new QPlainTextEdit(branchPage);
    m_payload->setMinimumHeight(90);
    m_payload->setTabChangesFocus(true);
    m_payloadStatus = new QLabel(branchPage);
    bf->addRow(tr("Payload (JSON)"), m_payload);
    bf->addRow(QString(), m_payloadStatus);
    m_notRollbackable = new QCheckBox(tr("cannot be rolled back"), branchPage);
    bf->addRow(QString(), m_notRollbackable);
    auto *check = new QPushButton(tr("Check endpoints"), branchPage);
    check->setToolTip(tr("Ask each participant whether it answers"));
    m_checkResult = new QLabel(branchPage);
    m_checkResult->setWordWrap(true);
    bf->addRow(check, m_checkResult);
    connect(check, &QPushButton::clicked, this, &PropertyPanel::checkEndpoints);
    m_timeout = spin(branchPage, 0, 600000, tr(" ms"), tr("flow default"));
    m_retries = spin(branchPage, -1, 1000000, QString(), tr("flow default"));
    bf->addRow(tr("Request timeout"), m_timeout);
    bf->addRow(tr("Max retries"), m_retries);

    return branchPage;
}

// The flow itself when no branch is selected: name, type and options.
QWidget *PropertyPanel::createFlowPage()
{
    auto *flowPage = new QWidget(this);
    auto *ff = new QFormLayout(flowPage);
    m_flowName = new QLineEdit(flowPage);
    m_type = new QComboBox(flowPage);
    m_type->addItem(QStringLiteral("SAGA"), int(TxType::Saga));
    m_type->addItem(QStringLiteral("TCC"), int(TxType::Tcc));
    // A spin box holds an int: up to 24 days in ms (30 days overflowed to a negative maximum).
    m_timeoutToFail = spin(flowPage, 0, 24 * 24 * 3600 * 1000, tr(" ms"), tr("never"));
    m_retryInterval = spin(flowPage, 10, 24 * 3600 * 1000, tr(" ms"));
    m_requestTimeout = spin(flowPage, 1, 600000, tr(" ms"));
    m_maxRetries = spin(flowPage, 0, 1000000, QString(), tr("unlimited"));
    m_waitResult = new QCheckBox(tr("submit answers after the first round"), flowPage);
    ff->addRow(tr("Flow name"), m_flowName);
    ff->addRow(tr("Type"), m_type);
    ff->addRow(tr("Timeout to fail"), m_timeoutToFail);
    ff->addRow(tr("Retry interval"), m_retryInterval);
    ff->addRow(tr("Request timeout"), m_requestTimeout);
    ff->addRow(tr("Max retries"), m_maxRetries);
    ff->addRow(tr("Wait result"), m_waitResult);
    ff->addRow(new QLabel(tr("<i>Select a branch to edit it.</i>"), flowPage));

    return flowPage;
}

QLineEdit *PropertyPanel::endpointEdit(OpKind op) const { return m_endpoints.at(op); }

void PropertyPanel::showBranch(const QString &id)
{
    m_id = id;
    load();
}

void PropertyPanel::load()
{
    m_loading = true;
    const document::BranchData *b = m_id.isEmpty() ? nullptr : m_doc.branch(m_id);
    if (!b) {
        m_id.clear();
        const document::FlowData &d = m_doc.data();
        m_flowName->setText(d.name);
        m_type->setCurrentIndex(d.type == TxType::Saga ? 0 : 1);
        m_timeoutToFail->setValue(int(d.options.timeoutToFailMs));
        m_retryInterval->setValue(int(d.options.retryIntervalMs));
        m_requestTimeout->setValue(int(d.options.requestTimeoutMs));
        m_maxRetries->setValue(d.options.maxRetries);
        m_waitResult->setChecked(d.options.waitResult);
        m_stack->setCurrentIndex(0);
    } else {
        m_branchId->setText(b->id);
        m_name->setText(b->name);
        const auto ops = coord::flow::opsFor(m_doc.data().type);
        for (auto &[op, edit] : m_endpoints) {
            const bool used = std::find(ops.begin(), ops.end(), op) != ops.end();
            m_endpointForm->setRowVisible(m_endpointRows[op], used);
            auto it = b->endpoints.find(op);
            edit->setText(it == b->endpoints.end() ? QString() : it->second);
        }
        if (m_payload->toPlainText() != b->payload)
            m_payload->setPlainText(b->payload);
        m_notRollbackable->setChecked(b->notRollbackable);
        m_timeout->setValue(int(b->requestTimeoutMs));
        m_retries->setValue(b->maxRetries);
        m_stack->setCurrentIndex(1);
    }
    m_loading = false;
    checkPayload();
}

void PropertyPanel::checkEndpoints()
{
    const document::BranchData *b = m_id.isEmpty() ? nullptr : m_doc.branch(m_id);
    if (!b)
        return;
    auto results = std::make_shared<std::map<QString, QString>>();
    auto show = [this, results] {
        QStringList lines;
        for (const auto &[op, text] : *results)
            lines << QStringLiteral("%1: %2").arg(op, text);
        m_checkResult->setText(lines.join(QLatin1Char('\n')));
    };
    for (OpKind op : coord::flow::opsFor(m_doc.data().type)) {
        auto it = b->endpoints.find(op);
        if (it == b->endpoints.end() || it->second.isEmpty())
            continue;
        const QString name = QString::fromStdString(toString(op));
        const QString endpoint = it->second;
        (*results)[name] = tr("checking…");
        m_probe.probe(endpoint, 3000, [results, name, show](const QString &verdict) {
            (*results)[name] = verdict;
            show();
        });
    }
    show();
}

void PropertyPanel::checkPayload()
{
    QString why;
    const bool ok = document::compactPayload(m_payload->toPlainText(), &why).has_value();
    m_payloadStatus->setText(ok ? tr("valid JSON") : why);
    m_payloadStatus->setStyleSheet(ok ? QStringLiteral("color:#2e7d32")
                                      : QStringLiteral("color:#c62828"));
    if (!m_loading && ok)
        commitBranch(tr("Edit payload"));
}

void PropertyPanel::commitBranch(const QString &what)
{
    if (m_loading || m_id.isEmpty())
        return;
    const document::BranchData *current = m_doc.branch(m_id);
    if (!current)
        return;
    document::BranchData b = *current;
    b.id = m_branchId->text().trimmed();
    b.name = m_name->text().trimmed();
    for (OpKind op : coord::flow::opsFor(m_doc.data().type))
        b.endpoints[op] = m_endpoints[op]->text().trimmed();
    if (document::compactPayload(m_payload->toPlainText()))
        b.payload = m_payload->toPlainText();
    b.notRollbackable = m_notRollbackable->isChecked();
    b.requestTimeoutMs = m_timeout->value();
    b.maxRetries = m_retries->value();
    const QString oldId = m_id;
    if (m_doc.setBranch(oldId, b, what))
        m_id = b.id;
    else
        m_branchId->setText(oldId);  // refused (duplicate or empty id): show what stands
}

void PropertyPanel::commitFlow()
{
    if (m_loading)
        return;
    TxOptions o = m_doc.data().options;
    o.timeoutToFailMs = m_timeoutToFail->value();
    o.retryIntervalMs = m_retryInterval->value();
    o.requestTimeoutMs = m_requestTimeout->value();
    o.maxRetries = m_maxRetries->value();
    o.waitResult = m_waitResult->isChecked();
    m_doc.setFlow(m_flowName->text().trimmed(), TxType(m_type->currentData().toInt()), o);
}

}  // namespace txdesk::ui
