#include "storage/sql/storerows.h"

#include <absl/strings/cord.h>
#include <absl/strings/str_cat.h>

#include <algorithm>
#include <deque>

namespace coord::storage::rows {

using namespace domain;

const std::string &insertSql(Dialect dialect, std::string_view table, std::string_view columns,
                             int rows)
{
    struct Shape {
        Dialect dialect;
        int rows;
        std::string table, columns, sql;
    };
    thread_local std::deque<Shape> shapes;  // grows without moving what it handed out
    for (const Shape &s : shapes)
        if (s.dialect == dialect && s.rows == rows && s.table == table && s.columns == columns)
            return s.sql;
    const size_t count = std::count(columns.begin(), columns.end(), ',') + 1;
    std::string sql = absl::StrCat("INSERT INTO ", std::string(table), "(", std::string(columns),
                                   ") VALUES ");
    for (int row = 0; row < rows; ++row) {
        sql += row > 0 ? ", (" : "(";
        for (size_t i = 1; i <= count; ++i)
            absl::StrAppend(&sql, i > 1 ? ", " : "", dialect == Dialect::Sqlite ? "?" : "$",
                            row * count + i);
        sql += ")";
    }
    shapes.push_back({dialect, rows, std::string(table), std::string(columns), std::move(sql)});
    return shapes.back().sql;
}

std::string likePattern(std::string_view text)
{
    std::string out = "%";
    for (char c : text) {
        if (c == '%' || c == '_' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '%';
    return out;
}

int64_t statusMask(const ListQuery &query)
{
    int64_t mask = 0;
    for (TxStatus s : query.statuses)
        mask |= int64_t{1} << int(s);
    return mask;
}

int64_t typeMask(const ListQuery &query)
{
    int64_t mask = 0;
    for (TxType t : query.types)
        mask |= int64_t{1} << int(t);
    return mask;
}

int listLimit(int requested) { return std::clamp(requested <= 0 ? 100 : requested, 1, 10000); }

absl::Status guardFailed(const std::string &gid, const std::optional<TxStatus> &status,
                         const std::string &owner)
{
    return absl::FailedPreconditionError(
        absl::StrCat("transaction ", gid, " changed concurrently (expected status ",
                     status ? toString(*status) : "any",
                     owner.empty() ? "" : absl::StrCat(", owner ", owner), ")"));
}

absl::Status duplicateTransaction(const std::string &gid)
{
    return absl::AlreadyExistsError(absl::StrCat("transaction ", gid, " already exists"));
}

std::string encodeHeaders(const std::map<std::string, std::string> &headers)
{
    std::string text;
    for (const auto &[name, value] : headers)
        absl::StrAppend(&text, name, ": ", value, "\n");
    return text;
}

std::map<std::string, std::string> decodeHeaders(std::string_view text)
{
    std::map<std::string, std::string> headers;
    for (absl::string_view line :
         absl::StrSplit(absl::string_view(text.data(), text.size()), '\n', absl::SkipEmpty())) {
        const size_t colon = line.find(": ");
        if (colon != absl::string_view::npos)
            headers.emplace(std::string(line.substr(0, colon)),
                            std::string(line.substr(colon + 2)));
    }
    return headers;
}

namespace {
constexpr absl::string_view kUniqueViolation = "coord.storage/unique-violation";
}

absl::Status uniqueViolation(const std::string &message)
{
    absl::Status s = absl::InternalError(message);
    s.SetPayload(kUniqueViolation, absl::Cord("1"));
    return s;
}

bool isUniqueViolation(const absl::Status &status)
{
    return status.GetPayload(kUniqueViolation).has_value();
}

absl::Status duplicateBranch(const std::string &gid, const std::string &branchId)
{
    return absl::AlreadyExistsError(absl::StrCat("branch ", branchId, " already exists in ", gid));
}

absl::Status unknownGid(const std::string &gid)
{
    return absl::NotFoundError(absl::StrCat("unknown gid '", gid, "'"));
}

absl::Status unknownOperation(const std::string &gid, const std::string &branchId, OpKind op)
{
    return absl::NotFoundError(
        absl::StrCat("no operation ", branchId, "/", toString(op), " in ", gid));
}

absl::Status claimRefused(const std::string &gid, TxStatus status, const std::string &holder,
                          int64_t until)
{
    if (isFinal(status))
        return absl::FailedPreconditionError(
            absl::StrCat("transaction ", gid, " is already ", toString(status)));
    return absl::FailedPreconditionError(absl::StrCat(
        "transaction ", gid, " is being processed by ", holder, " (lease until ", until, ")"));
}

absl::Status unguardedWrite()
{
    return absl::InvalidArgumentError("a guarded write must carry a summary");
}

}  // namespace coord::storage::rows
