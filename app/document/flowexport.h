#pragma once

#include "flowdocument.h"

namespace txdesk::document {

// The flow as a command line and as client code, so a prototype carries over into a service.
QString txctlCommand(const QString &flowFile, const QString &address);
// Go code using DTM's dtmcli (saga: NewSaga(...).Add(...); TCC: TccGlobalTransaction).
QString dtmGoCode(const FlowData &data);

}  // namespace txdesk::document
