// The inspector's judgement of one gid: barrier rows as DTM-style participants leave them, held
// against the coordinator's decision. Each kind of damage is found once; an undamaged table
// gives nothing.
#include "barrier/consistency.h"

#include <gtest/gtest.h>

namespace {

using namespace coord::domain;
using coord::barrier::BarrierRow;
using coord::barrier::FindingKind;
using coord::barrier::inspectGid;

Transaction twoBranches(TxType type, TxStatus status)
{
    Transaction tx;
    tx.summary.gid = "g1";
    tx.summary.type = type;
    tx.summary.status = status;
    const bool tcc = type == TxType::Tcc;
    for (const char *id : {"01", "02"}) {
        Branch b;
        b.id = id;
        for (OpKind op : tcc ? std::vector<OpKind>{OpKind::Try, OpKind::Confirm, OpKind::Cancel}
                             : std::vector<OpKind>{OpKind::Action, OpKind::Compensate})
            b.ops.push_back(
                {op, std::string("http://bank") + id + ":8081/op", OpStatus::Pending, 0, {}});
        tx.branches.push_back(b);
    }
    return tx;
}

BarrierRow row(const std::string &branch, const std::string &op, std::string reason = {})
{
    return {"saga", "g1", branch, op, reason.empty() ? op : reason};
}

std::vector<FindingKind> kinds(const std::vector<coord::barrier::Finding> &findings)
{
    std::vector<FindingKind> out;
    for (const auto &f : findings)
        out.push_back(f.kind);
    return out;
}

TEST(Consistency, anUndamagedSucceededSagaGivesNothing)
{
    EXPECT_TRUE(inspectGid("g1", {row("01", "action"), row("02", "action")},
                           twoBranches(TxType::Saga, TxStatus::Succeeded))
                    .empty());
}

TEST(Consistency, aCompensationAfterSuccessIsFoundOnItsBranch)
{
    auto f = inspectGid("g1", {row("01", "action"), row("02", "action"), row("02", "compensate")},
                        twoBranches(TxType::Saga, TxStatus::Succeeded));
    ASSERT_EQ(kinds(f), std::vector{FindingKind::UndoneAfterSuccess});
    EXPECT_EQ(f[0].branchId, "02");
}

TEST(Consistency, aRolledBackSagaWhoseActionWasNotCompensatedIsFound)
{
    auto f = inspectGid("g1", {row("01", "action"), row("01", "compensate"), row("02", "action")},
                        twoBranches(TxType::Saga, TxStatus::Failed));
    ASSERT_EQ(kinds(f), std::vector{FindingKind::NotUndoneAfterRollback});
    EXPECT_EQ(f[0].branchId, "02");
    EXPECT_NE(f[0].suggestion.find("re-run the compensate"), std::string::npos);
}

TEST(Consistency, aNullCompensationIsNotADamage)
{
    // 02's compensate came first and claimed its action's slot: the action never ran.
    EXPECT_TRUE(inspectGid("g1",
                           {row("01", "action"), row("01", "compensate"),
                            row("02", "action", "compensate"), row("02", "compensate")},
                           twoBranches(TxType::Saga, TxStatus::Failed))
                    .empty());
}

TEST(Consistency, aTccConfirmedOrLeftUncancelledIsFound)
{
    auto ok = inspectGid(
        "g1", {row("01", "try"), row("01", "confirm"), row("02", "try"), row("02", "confirm")},
        twoBranches(TxType::Tcc, TxStatus::Succeeded));
    EXPECT_TRUE(ok.empty());
    auto missing = inspectGid("g1", {row("01", "try"), row("01", "confirm"), row("02", "try")},
                              twoBranches(TxType::Tcc, TxStatus::Succeeded));
    ASSERT_EQ(kinds(missing), std::vector{FindingKind::ForwardMissing});
    auto rolledBack = inspectGid(
        "g1", {row("01", "try"), row("01", "cancel"), row("02", "try"), row("02", "confirm")},
        twoBranches(TxType::Tcc, TxStatus::Failed));
    EXPECT_EQ(
        kinds(rolledBack),
        (std::vector{FindingKind::NotUndoneAfterRollback, FindingKind::ConfirmedAfterRollback}));
}

TEST(Consistency, orphansAndStrangeBranchesAreFound)
{
    auto orphan = inspectGid("g1", {row("01", "try")}, std::nullopt);
    ASSERT_EQ(kinds(orphan), std::vector{FindingKind::UnknownGid});
    auto extra = inspectGid("g1", {row("01", "action"), row("02", "action"), row("07", "try")},
                            twoBranches(TxType::Saga, TxStatus::Succeeded));
    ASSERT_EQ(kinds(extra), std::vector{FindingKind::UnknownBranch});
    EXPECT_EQ(extra[0].branchId, "07");
}

TEST(Consistency, rowsOfATransactionInFlightAreShownNotJudged)
{
    auto f = inspectGid("g1", {row("01", "action")},
                        twoBranches(TxType::Saga, TxStatus::Submitted));
    ASSERT_EQ(kinds(f), std::vector{FindingKind::InFlight});
    EXPECT_FALSE(coord::barrier::isProblem(f[0].kind));
}

TEST(Consistency, namingTheServiceExpectsItsBranchesEvenWithoutRows)
{
    // Without naming it, a branch with no rows here is another service's.
    const Transaction tx = twoBranches(TxType::Saga, TxStatus::Succeeded);
    EXPECT_TRUE(inspectGid("g1", {row("01", "action")}, tx).empty());
    auto f = inspectGid("g1", {row("01", "action")}, tx, "bank02:8081");
    ASSERT_EQ(kinds(f), std::vector{FindingKind::ForwardMissing});
    EXPECT_EQ(f[0].branchId, "02");
}

}  // namespace
