#pragma once

#include "domain/types.h"

#include <QIcon>

// The console's icons: the Breeze icons it bundles (resources/icons/theme-icons.txt), the same
// on every desktop whatever its icon theme, and its own application icon.
namespace txdesk::models {

// A bundled icon by its Breeze name ("document-open"); a null icon for a name not bundled.
QIcon themeIcon(const QString &name);
QIcon appIcon();

// The status symbols of tables, graph and stuck view: succeeded, failed (rolled back), in
// flight, rolling back, stuck, waiting; an operation being retried; none for one not run yet.
QIcon iconOf(coord::domain::TxStatus status, bool stuck);
QIcon iconOf(coord::domain::OpStatus status, bool retrying);

}  // namespace txdesk::models
