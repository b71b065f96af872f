#include "types.h"

#include <algorithm>
#include <cctype>
#include <array>
#include <utility>

namespace coord::domain {
namespace {

template <typename E, size_t N>
std::string nameOf(const std::array<std::pair<E, std::string_view>, N> &table, E value)
{
    for (const auto &[v, name] : table)
        if (v == value)
            return std::string(name);
    return "UNKNOWN";
}

template <typename E, size_t N>
std::optional<E> valueOf(const std::array<std::pair<E, std::string_view>, N> &table,
                         std::string_view text)
{
    for (const auto &[v, name] : table)
        if (name.size() == text.size()
            && std::equal(name.begin(), name.end(), text.begin(), [](char a, char b) {
                   return std::tolower(static_cast<unsigned char>(a))
                       == std::tolower(static_cast<unsigned char>(b));
               }))
            return v;
    return std::nullopt;
}

constexpr std::array<std::pair<TxType, std::string_view>, 2> kTypes{{
    {TxType::Saga, "SAGA"},
    {TxType::Tcc, "TCC"},
}};
constexpr std::array<std::pair<TxStatus, std::string_view>, 5> kStatuses{{
    {TxStatus::Prepared, "PREPARED"},
    {TxStatus::Submitted, "SUBMITTED"},
    {TxStatus::Aborting, "ABORTING"},
    {TxStatus::Succeeded, "SUCCEEDED"},
    {TxStatus::Failed, "FAILED"},
}};
constexpr std::array<std::pair<OpKind, std::string_view>, 5> kOps{{
    {OpKind::Action, "action"},
    {OpKind::Compensate, "compensate"},
    {OpKind::Try, "try"},
    {OpKind::Confirm, "confirm"},
    {OpKind::Cancel, "cancel"},
}};
constexpr std::array<std::pair<OpStatus, std::string_view>, 5> kOpStatuses{{
    {OpStatus::Pending, "pending"},
    {OpStatus::Running, "running"},
    {OpStatus::Succeeded, "succeeded"},
    {OpStatus::Failed, "failed"},
    {OpStatus::Skipped, "skipped"},
}};
constexpr std::array<std::pair<AttemptOutcome, std::string_view>, 4> kOutcomes{{
    {AttemptOutcome::Success, "success"},
    {AttemptOutcome::Failure, "failure"},
    {AttemptOutcome::Ongoing, "ongoing"},
    {AttemptOutcome::Transient, "transient"},
}};

}  // namespace

std::string toString(TxType type) { return nameOf(kTypes, type); }
std::string toString(TxStatus status) { return nameOf(kStatuses, status); }
std::string toString(TxOrigin origin)
{
    switch (origin) {
    case TxOrigin::DtmHttp:
        return "dtm-http";
    case TxOrigin::DtmGrpc:
        return "dtm-grpc";
    case TxOrigin::Native:
        break;
    }
    return "native";
}
std::string toString(OpKind op) { return nameOf(kOps, op); }
std::string toString(OpStatus status) { return nameOf(kOpStatuses, status); }
std::string toString(AttemptOutcome outcome) { return nameOf(kOutcomes, outcome); }
std::optional<TxType> txTypeFromString(std::string_view text) { return valueOf(kTypes, text); }
std::optional<TxStatus> txStatusFromString(std::string_view text)
{
    return valueOf(kStatuses, text);
}
std::optional<OpKind> opKindFromString(std::string_view text) { return valueOf(kOps, text); }

bool isFinal(TxStatus status)
{
    return status == TxStatus::Succeeded || status == TxStatus::Failed;
}

Operation *Branch::find(OpKind kind)
{
    auto it = std::find_if(ops.begin(), ops.end(),
                           [kind](const Operation &o) { return o.op == kind; });
    return it == ops.end() ? nullptr : &*it;
}

const Operation *Branch::find(OpKind kind) const { return const_cast<Branch *>(this)->find(kind); }

Branch *Transaction::findBranch(std::string_view id)
{
    auto it = std::find_if(branches.begin(), branches.end(),
                           [id](const Branch &b) { return b.id == id; });
    return it == branches.end() ? nullptr : &*it;
}

const Branch *Transaction::findBranch(std::string_view id) const
{
    return const_cast<Transaction *>(this)->findBranch(id);
}

bool Transaction::dependenciesDone(const Branch &b, OpKind op) const
{
    for (const std::string &a : b.after) {
        const Branch *dep = findBranch(a);
        if (!dep)
            continue;
        if (const Operation *o = dep->find(op)) {
            if (o->status != OpStatus::Succeeded && o->status != OpStatus::Skipped)
                return false;
        } else if (summary.type == TxType::Saga && !dependenciesDone(*dep, op)) {
            return false;
        }
    }
    return true;
}

}  // namespace coord::domain
