#pragma once

#include "domain/types.h"

#include <QColor>

// The one palette for statuses and outcomes, shared by tables, tree, timeline and graph.
namespace txdesk::models {

QColor colorOf(coord::domain::TxStatus status);
QColor colorOf(coord::domain::OpStatus status);  // invalid QColor for pending (use the default)
QColor colorOf(coord::domain::AttemptOutcome outcome);
QColor readyColor();     // the designer's operation with its endpoint filled in
QColor retryingColor();  // an operation tried and answered "not yet" (ONGOING, transient)

}  // namespace txdesk::models
