#include "statuscolors.h"

namespace txdesk::models {

using namespace coord::domain;

namespace {
const QColor kGreen(0x2e, 0x7d, 0x32), kRed(0xc6, 0x28, 0x28), kBlue(0x15, 0x65, 0xc0),
    kOrange(0xef, 0x6c, 0x00), kGrey(0x75, 0x75, 0x75);
}

QColor colorOf(TxStatus status)
{
    switch (status) {
    case TxStatus::Succeeded:
        return kGreen;
    case TxStatus::Failed:
        return kRed;
    case TxStatus::Aborting:
        return kOrange;
    case TxStatus::Prepared:
    case TxStatus::Submitted:
        return kBlue;
    }
    return {};
}

QColor colorOf(OpStatus status)
{
    switch (status) {
    case OpStatus::Succeeded:
        return kGreen;
    case OpStatus::Failed:
        return kRed;
    case OpStatus::Running:
        return kBlue;
    case OpStatus::Skipped:
        return kGrey;
    case OpStatus::Pending:
        break;
    }
    return {};
}

QColor colorOf(AttemptOutcome outcome)
{
    switch (outcome) {
    case AttemptOutcome::Success:
        return kGreen;
    case AttemptOutcome::Failure:
        return kRed;
    case AttemptOutcome::Ongoing:
        return kBlue;
    case AttemptOutcome::Transient:
        return kOrange;
    }
    return {};
}

QColor readyColor() { return kGreen; }

QColor retryingColor() { return QColor(0xf9, 0xa8, 0x25); }

}  // namespace txdesk::models
