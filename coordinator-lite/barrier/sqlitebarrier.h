#pragma once

#include "barrierrules.h"

#include <absl/status/status.h>

#include <functional>

namespace coord::storage::sqlite {
class Connection;
}

namespace coord::barrier {

// The barrier for participants that keep their data in SQLite: the barrier rows and the
// business change commit (or roll back) in one local transaction.
class SqliteBarrier
{
public:
    struct Outcome {
        Verdict verdict = Verdict::Execute;
        absl::Status business;  // what the business code returned (when it ran)
    };

    static absl::Status createTable(storage::sqlite::Connection &db);

    // Runs `business` only when the barrier says so; a business error rolls back the barrier
    // rows too, so the call can be retried. An error in the barrier itself is returned as
    // `business` with a non-business code (Unavailable/Internal).
    static Outcome call(storage::sqlite::Connection &db, const BarrierKey &key,
                        const std::function<absl::Status(storage::sqlite::Connection &)> &business);
};

}  // namespace coord::barrier
