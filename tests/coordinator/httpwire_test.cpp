// The plain-http client's wire format on its own: URLs, the request's bytes, and the response
// parser fed in every slicing a socket can give.
#include "invokers/httpwire.h"

#include <gtest/gtest.h>

namespace {

using coord::invokers::http::kMaxBody;
using coord::invokers::http::parsePlainUrl;
using coord::invokers::http::percentEncode;
using coord::invokers::http::Request;
using coord::invokers::http::resolveLocation;
using coord::invokers::http::ResponseParser;
using coord::invokers::http::serialize;
using State = ResponseParser::State;

// Feeds `wire` in slices of `step` bytes; returns the last state and how many bytes were used.
State feedInSlices(ResponseParser &parser, const std::string &wire, size_t step, size_t *usedAll)
{
    State state = State::NeedMore;
    size_t at = 0;
    while (at < wire.size() && state == State::NeedMore) {
        size_t used = 0;
        state = parser.feed(wire.data() + at, std::min(step, wire.size() - at), &used);
        at += used;
    }
    *usedAll = at;
    return state;
}

TEST(HttpWire, aContentLengthAnswerCompletesInAnySlicingAndKeepsTheConnection)
{
    const std::string wire =
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 24\r\n\r\n"
        R"({"dtm_result":"SUCCESS"})";
    for (size_t step : {1, 2, 3, 7, 64, 4096}) {
        ResponseParser parser;
        size_t used = 0;
        ASSERT_EQ(feedInSlices(parser, wire, step, &used), State::Complete) << step;
        EXPECT_EQ(used, wire.size());
        EXPECT_EQ(parser.status(), 200);
        EXPECT_EQ(parser.body(), R"({"dtm_result":"SUCCESS"})");
        EXPECT_TRUE(parser.keepAlive());
    }
}

TEST(HttpWire, aChunkedAnswerWithExtensionsAndTrailersIsDecoded)
{
    const std::string wire = "HTTP/1.1 409 Conflict\r\nTransfer-Encoding: chunked\r\n\r\n"
                             "5;ext=1\r\n{\"dtm\r\n"
                             "e\r\n_result\":\"FAIL\r\n"
                             "5\r\nURE\"}\r\n"
                             "0\r\nX-Trailer: yes\r\n\r\n";
    for (size_t step : {1, 5, 13, 4096}) {
        ResponseParser parser;
        size_t used = 0;
        ASSERT_EQ(feedInSlices(parser, wire, step, &used), State::Complete) << step;
        EXPECT_EQ(used, wire.size());
        EXPECT_EQ(parser.status(), 409);
        EXPECT_EQ(parser.body(), R"({"dtm_result":"FAILURE"})");
        EXPECT_TRUE(parser.keepAlive());
    }
}

TEST(HttpWire, bytesAfterTheAnswerAreLeftUnused)
{
    const std::string wire = "HTTP/1.1 204 No Content\r\n\r\nHTTP/1.1 200 OK\r\n";
    ResponseParser parser;
    size_t used = 0;
    ASSERT_EQ(parser.feed(wire.data(), wire.size(), &used), State::Complete);
    EXPECT_EQ(used, wire.find("HTTP/1.1 200"));
    EXPECT_EQ(parser.body(), "");
}

TEST(HttpWire, anInterimAnswerIsSkippedAndTheRealOneRead)
{
    const std::string wire = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 425 Too Early\r\n"
                             "Content-Length: 7\r\n\r\nONGOING";
    ResponseParser parser;
    size_t used = 0;
    ASSERT_EQ(feedInSlices(parser, wire, 3, &used), State::Complete);
    EXPECT_EQ(parser.status(), 425);
    EXPECT_EQ(parser.body(), "ONGOING");
}

TEST(HttpWire, anAnswerWithoutALengthEndsWithTheConnection)
{
    const std::string wire = "HTTP/1.0 200 OK\r\n\r\nSUCCESS";
    ResponseParser parser;
    size_t used = 0;
    EXPECT_EQ(parser.feed(wire.data(), wire.size(), &used), State::NeedMore);
    EXPECT_EQ(parser.closed(), State::Complete);
    EXPECT_EQ(parser.body(), "SUCCESS");
    EXPECT_FALSE(parser.keepAlive());
}

TEST(HttpWire, connectionCloseAndHttp10DoNotKeepTheConnection)
{
    for (const std::string wire :
         {"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n",
          "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"}) {
        ResponseParser parser;
        size_t used = 0;
        ASSERT_EQ(parser.feed(wire.data(), wire.size(), &used), State::Complete) << wire;
        EXPECT_FALSE(parser.keepAlive()) << wire;
    }
    const std::string kept =
        "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n";
    ResponseParser parser;
    size_t used = 0;
    ASSERT_EQ(parser.feed(kept.data(), kept.size(), &used), State::Complete);
    EXPECT_TRUE(parser.keepAlive());
}

TEST(HttpWire, aBodyOverTheLimitIsCutButReadToTheEnd)
{
    const std::string body(kMaxBody + 1000, 'x');
    const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size())
        + "\r\n\r\n" + body;
    ResponseParser parser;
    size_t used = 0;
    ASSERT_EQ(feedInSlices(parser, wire, 16384, &used), State::Complete);
    EXPECT_EQ(used, wire.size());
    EXPECT_EQ(parser.body().size(), kMaxBody);
    EXPECT_TRUE(parser.keepAlive());
}

TEST(HttpWire, whatIsNotAnHttpAnswerIsNamedAsSuch)
{
    struct Case {
        std::string wire;
        std::string words;
    };
    for (const Case &c : std::vector<Case>{
             {"SSH-2.0-OpenSSH_9.2\r\n\r\n", "not an HTTP answer"},
             {"HTTP/1.1 abc OK\r\n\r\n", "not an HTTP answer"},
             {"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "not an HTTP answer"},
             {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
              "Content-Length"},
             {"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "transfer encoding"},
             {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", "transfer encoding"},
             {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "chunk size"},
             {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n", "line end"},
             {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=1\n13\r\n_result\r\n",
              "line end"},
             {"HTTP/1.1 200 OK\r\nX-Long: " + std::string(70 * 1024, 'a') + "\r\n\r\n", "64 KiB"},
             {"HTTP/1.1 200 OK\r\nX-Long: " + std::string(70 * 1024, 'a'), "64 KiB"},
         }) {
        for (size_t step : {size_t(1), size_t(3), size_t(15), c.wire.size()}) {
            ResponseParser parser;
            size_t used = 0;
            EXPECT_EQ(feedInSlices(parser, c.wire, step, &used), State::Invalid)
                << c.wire.substr(0, 80) << " in slices of " << step;
            EXPECT_NE(parser.error().find(c.words), std::string::npos) << parser.error();
            EXPECT_FALSE(parser.keepAlive());
        }
    }
}

TEST(HttpWire, aConnectionClosedMidAnswerIsAnErrorSayingWhen)
{
    ResponseParser before;
    EXPECT_EQ(before.closed(), State::Invalid);
    EXPECT_FALSE(before.started());
    EXPECT_NE(before.error().find("without answering"), std::string::npos);

    ResponseParser during;
    const std::string part = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
    size_t used = 0;
    EXPECT_EQ(during.feed(part.data(), part.size(), &used), State::NeedMore);
    EXPECT_EQ(during.closed(), State::Invalid);
    EXPECT_TRUE(during.started());
    EXPECT_NE(during.error().find("middle of its answer"), std::string::npos);
}

TEST(HttpWire, plainUrlsAreParsedAndTheRestLeftToLibcurl)
{
    auto v4 = parsePlainUrl("http://127.0.0.1:8081/api/busi/TransOut?x=1#frag");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->host, "127.0.0.1");
    EXPECT_EQ(v4->port, 8081);
    EXPECT_EQ(v4->target, "/api/busi/TransOut?x=1");
    EXPECT_EQ(v4->hostHeader, "127.0.0.1:8081");

    auto v6 = parsePlainUrl("HTTP://[::1]:9/x");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(v6->port, 9);
    EXPECT_EQ(v6->hostHeader, "[::1]:9");

    auto bare = parsePlainUrl("http://svc?gid=1");
    ASSERT_TRUE(bare);
    EXPECT_EQ(bare->port, 80);
    EXPECT_EQ(bare->target, "/?gid=1");

    for (const char *other :
         {"https://svc/x", "http://user:pw@svc/x", "http://", "http://:80/x", "http://svc:0/x",
          "http://svc:99999/x", "http://svc/a b", "http://[::1/x", "grpc://svc/x"})
        EXPECT_FALSE(parsePlainUrl(other)) << other;
}

TEST(HttpWire, aRedirectLocationIsResolvedAgainstTheUrlThatAnsweredIt)
{
    const std::string base = "http://a:1/api/busi/TransOut?gid=g";
    EXPECT_EQ(resolveLocation(base, "https://b/x"), "https://b/x");
    EXPECT_EQ(resolveLocation(base, "/other?q=1"), "http://a:1/other?q=1");
    EXPECT_EQ(resolveLocation(base, "TransIn"), "http://a:1/api/busi/TransIn");
    EXPECT_EQ(resolveLocation(base, "//c:2/y"), "http://c:2/y");
    EXPECT_EQ(resolveLocation("http://a:1", "z"), "http://a:1/z");
    EXPECT_EQ(resolveLocation(base, "?q=1"), "http://a:1/api/busi/TransOut?q=1");
}

TEST(HttpWire, theRequestCarriesItsHeadersAndRefusesOnesThatWouldBreakTheFraming)
{
    Request post;
    post.url = "http://svc:8080/api/x?gid=g";
    post.post = true;
    post.body = R"({"amount":30})";
    post.headers = {{"X-Trace", "t1"}, {"Content-Length", "999"}, {"Host", "evil"}};
    std::string error;
    const std::string wire = serialize(post, *parsePlainUrl(post.url), &error);
    EXPECT_EQ(error, "");
    EXPECT_EQ(wire,
              "POST /api/x?gid=g HTTP/1.1\r\nHost: svc:8080\r\nAccept: */*\r\n"
              "X-Trace: t1\r\nContent-Type: application/json\r\nContent-Length: 13\r\n\r\n"
              R"({"amount":30})");

    Request get;
    get.url = "http://svc/q";
    get.headers = {{"content-type", "text/plain"}};
    EXPECT_EQ(serialize(get, *parsePlainUrl(get.url), &error),
              "GET /q HTTP/1.1\r\nHost: svc\r\nAccept: */*\r\ncontent-type: text/plain\r\n\r\n");

    Request injected = get;
    injected.headers = {{"X-A", "1\r\nX-Injected: 2"}};
    EXPECT_EQ(serialize(injected, *parsePlainUrl(injected.url), &error), "");
    EXPECT_NE(error.find("line break"), std::string::npos) << error;
    for (const char *name : {"Transfer-Encoding\t", "X A", "X:A", ""}) {
        Request odd = get;
        odd.headers = {{name, "1"}};
        EXPECT_EQ(serialize(odd, *parsePlainUrl(odd.url), &error), "") << name;
        EXPECT_NE(error.find("not an HTTP token"), std::string::npos) << error;
    }
}

TEST(HttpWire, anAnswerWithBothALengthAndChunkedIsReadAsChunkedAndItsConnectionNotKept)
{
    const std::string wire = "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: "
                             "gzip, chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n";
    ResponseParser parser;
    size_t used = 0;
    ASSERT_EQ(parser.feed(wire.data(), wire.size(), &used), State::Complete);
    EXPECT_EQ(parser.body(), "ok");
    EXPECT_FALSE(parser.keepAlive());
}

TEST(HttpWire, percentEncodingKeepsOnlyTheUnreservedCharacters)
{
    EXPECT_EQ(percentEncode("abc-XYZ_0.9~"), "abc-XYZ_0.9~");
    EXPECT_EQ(percentEncode("a b/c?d&e=f%\xff"), "a%20b%2Fc%3Fd%26e%3Df%25%FF");
}

}  // namespace
