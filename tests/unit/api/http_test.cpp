// The HTTP/1.1 request parser: limits, framing, pipelining, and refusals
// with the right status.
#include "api/http.hpp"

#include <gtest/gtest.h>

using namespace fmc::api;
using State = RequestParser::State;

namespace {

HttpRequest parse_one(const std::string& bytes) {
  RequestParser p;
  EXPECT_EQ(p.feed(bytes), State::kComplete) << p.error().message;
  return p.take();
}

int status_of(const std::string& bytes, RequestParser::Limits limits = {}) {
  RequestParser p(limits);
  EXPECT_EQ(p.feed(bytes), State::kError) << bytes;
  return p.error().status;
}

}  // namespace

TEST(HttpParser, ParsesMethodPathQueryHeadersAndBody) {
  auto r = parse_one(
      "POST /location/v2/queries/users?address=acr%3A10.0.0.1&zoneId=wlan+1 HTTP/1.1\r\n"
      "Host: x\r\nContent-Type: application/json\r\nAuthorization:  Bearer abc \r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.path, "/location/v2/queries/users");
  EXPECT_EQ(r.query.at("address"), "acr:10.0.0.1");
  EXPECT_EQ(r.query.at("zoneId"), "wlan 1");
  EXPECT_EQ(r.header("authorization"), "Bearer abc");
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, "{}");
  EXPECT_TRUE(r.keep_alive);
}

TEST(HttpParser, ByteByByteAndPipelined) {
  const std::string two = "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.0\r\n\r\n";
  RequestParser p;
  std::vector<HttpRequest> got;
  for (char c : two) {
    auto s = p.feed(std::string(1, c));
    while (s == State::kComplete) {
      got.push_back(p.take());
      s = p.feed("");
    }
    ASSERT_NE(s, State::kError);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].path, "/a");
  EXPECT_EQ(got[1].path, "/b");
  EXPECT_FALSE(got[1].keep_alive);  // HTTP/1.0
}

TEST(HttpParser, ConnectionCloseIsHonoured) {
  EXPECT_FALSE(parse_one("GET / HTTP/1.1\r\nConnection: close\r\n\r\n").keep_alive);
}

TEST(HttpParser, RefusalsCarryTheirStatus) {
  EXPECT_EQ(status_of("GARBAGE\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET  / HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET relative HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET /%zz HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET /%00 HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET /?a=%4 HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/2.0\r\n\r\n"), 505);
  EXPECT_EQ(status_of("TRACE / HTTP/1.1\r\n\r\n"), 501);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nNo-Colon\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nContent-Length: 12x\r\n\r\n"), 400);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"), 400);
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"), 501);
  EXPECT_EQ(status_of("GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n"), 400);
}

TEST(HttpParser, LimitsAreEnforcedBeforeBuffering) {
  RequestParser::Limits small{64, 10};
  EXPECT_EQ(status_of("POST / HTTP/1.1\r\nContent-Length: 11\r\n\r\n", small), 413);
  EXPECT_EQ(status_of("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", small), 431);
  // A head that never ends is refused once it passes the limit, not buffered forever.
  RequestParser p(small);
  EXPECT_EQ(p.feed("GET / HTTP/1.1\r\nX: " + std::string(30, 'a')), State::kNeedMore);
  EXPECT_EQ(p.feed(std::string(40, 'a')), State::kError);
  EXPECT_EQ(p.error().status, 431);
}

TEST(HttpParser, EveryTruncationWaitsForMore) {
  const std::string full = "POST /x?y=1 HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello";
  for (std::size_t n = 0; n < full.size(); ++n) {
    RequestParser p;
    EXPECT_EQ(p.feed(full.substr(0, n)), State::kNeedMore) << n;
  }
}

TEST(HttpResponse, SerializesStatusHeadersAndBody) {
  HttpResponse r{201, "application/json", "{}\n", {{"Location", "/x/1"}}};
  EXPECT_EQ(serialize(r, false),
            "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 3\r\nConnection: close\r\n"
            "Location: /x/1\r\n\r\n{}\n");
}
