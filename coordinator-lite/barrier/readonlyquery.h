#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

// A query run in a read-only session on a participant's database (the explorer's invariants,
// e.g. "SELECT sum(balance) FROM account"), through the barrier tables' DSN forms.
namespace coord::barrier {

using QueryRows = std::vector<std::vector<std::string>>;  // rows of text cells; NULL = ""

constexpr int kMaxQueryRows = 1000;

// Refuses a query answering more than kMaxQueryRows rows (an invariant is a small answer).
absl::StatusOr<QueryRows> queryReadOnly(const std::string &dsn, const std::string &sql);

// "7|2000" for one row, rows on lines of their own: how an answer is shown and compared.
std::string toText(const QueryRows &rows);

}  // namespace coord::barrier
