// The engine's cache of parsed flows: one parse per distinct text, errors never kept, bounded.
#include "engine/flowcache.h"

#include <gtest/gtest.h>

#include <string>

using coord::engine::FlowCache;

namespace {

std::string sagaNamed(const std::string &name)
{
    return R"({"flow":{"name":")" + name
        + R"(","type":"SAGA","branches":[{"id":"a","action":"sim://x","compensate":"sim://x"}]}})";
}

TEST(FlowCacheTest, theSameTextIsParsedOnceAndGivesTheNormalForm)
{
    FlowCache cache;
    auto first = cache.parse(sagaNamed("t"), {});
    auto again = cache.parse(sagaNamed("t"), {});
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(first->get(), again->get()) << "the second submit reuses the first parse";
    EXPECT_EQ((*first)->flow.name, "t");
    EXPECT_EQ((*first)->normalJson, coord::flow::toJson((*first)->flow));
    EXPECT_EQ(cache.size(), 1u);
}

TEST(FlowCacheTest, anInvalidFlowIsRefusedNamingTheFieldAndNotKept)
{
    FlowCache cache;
    auto bad = cache.parse(R"({"flow":{"name":"t","type":"SAGA","branches":[]}})", {});
    ASSERT_FALSE(bad.ok());
    EXPECT_NE(bad.status().message().find("flow.branches"), std::string::npos) << bad.status();
    EXPECT_EQ(cache.size(), 0u);
}

TEST(FlowCacheTest, theLeastRecentlyUsedFlowGoesFirstWhenFull)
{
    FlowCache cache(2);
    auto a = cache.parse(sagaNamed("a"), {});
    auto b = cache.parse(sagaNamed("b"), {});
    ASSERT_TRUE(cache.parse(sagaNamed("a"), {}).ok());  // a is used again: b is now the oldest
    ASSERT_TRUE(cache.parse(sagaNamed("c"), {}).ok());
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_EQ(cache.parse(sagaNamed("a"), {})->get(), a->get()) << "a stayed";
    EXPECT_NE(cache.parse(sagaNamed("b"), {})->get(), b->get()) << "b was parsed again";
}

}  // namespace
