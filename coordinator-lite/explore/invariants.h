#pragma once

#include <absl/status/statusor.h>

#include <string>
#include <vector>

// What must read the same after every explored path as before it (paths run one at a time, so
// a change belongs to the path that made it): a read-only query in a participant's database,
// or a JSON document a participant serves.
namespace coord::explore {

struct Invariant {
    std::string dsn;  // a barrier DSN form (SQLite path, postgres://…, mysql://…) with `sql`
    std::string sql;
    std::string url;  // or an HTTP(S) GET whose JSON body must stay equal

    std::string label() const;  // the query or the URL, for reports
    bool operator==(const Invariant &) const = default;
};

// The invariant's answer now, as text: the query's rows ("2000|0"), or the JSON body in a
// canonical form (keys sorted, no spaces) so equal documents compare equal.
absl::StatusOr<std::string> evaluate(const Invariant &invariant);

struct InvariantValue {
    std::string label;
    std::string before;
    std::string after;
    std::string error;  // it could not be evaluated (then the path is red)
    bool changed() const { return !error.empty() || before != after; }
};

}  // namespace coord::explore
