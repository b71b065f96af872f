#pragma once

#include "explorer.h"

#include <string>

// The explorer's report as a service team keeps it: Markdown for people, JSON for tools.
namespace coord::explore {

std::string toMarkdown(const ExploreReport &report);
std::string toJsonText(const ExploreReport &report);  // one document, indented
// One line per path, for a terminal: "RED   out/action: answer-lost  SUCCEEDED  …".
std::string toTable(const ExploreReport &report);

}  // namespace coord::explore
