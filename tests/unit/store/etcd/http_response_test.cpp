// The etcd gateway's HTTP/1.1 answers: whole, in any split, streamed, and refused when malformed or too large.
#include "store/etcd/http_response.hpp"

#include <gtest/gtest.h>

using fmc::store::etcd::ResponseParser;
using State = ResponseParser::State;

namespace {
const std::string kLength = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"a\": \"b\"}\n";
const std::string kChunked =
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n6;ext=1\r\n \"b\"}\n\r\n0\r\n\r\n";
}  // namespace

TEST(EtcdHttpResponse, WholeAndSplitAtEveryByte) {
  for (const std::string& wire : {kLength, kChunked})
    for (std::size_t cut = 0; cut <= wire.size(); ++cut) {
      ResponseParser p;
      std::string body;
      p.feed(wire.substr(0, cut));
      body += p.take_body();
      ASSERT_EQ(p.feed(wire.substr(cut)), State::kComplete) << cut;
      body += p.take_body();
      EXPECT_EQ(p.status(), 200);
      EXPECT_EQ(body, "{\"a\": \"b\"}\n") << cut;
    }
}

TEST(EtcdHttpResponse, KeepAliveCarriesTheNextResponse) {
  ResponseParser p;
  ASSERT_EQ(p.feed(kLength + "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"), State::kComplete);
  EXPECT_EQ(p.take_body(), "{\"a\": \"b\"}\n");
  EXPECT_TRUE(p.keep_alive());
  p.next();
  ASSERT_EQ(p.feed(""), State::kComplete);
  EXPECT_EQ(p.status(), 404);
  EXPECT_EQ(p.take_body(), "{}");
  EXPECT_FALSE(p.keep_alive());
}

TEST(EtcdHttpResponse, AStreamIsReadAsItArrives) {
  ResponseParser p;
  EXPECT_EQ(p.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab"), State::kNeedMore);
  EXPECT_EQ(p.take_body(), "ab");
  EXPECT_EQ(p.feed("cd\r\n3\r\nefg"), State::kNeedMore);
  EXPECT_EQ(p.take_body(), "cdefg");
}

TEST(EtcdHttpResponse, MalformedAndOversizedAnswersAreRefused) {
  const char* bad[] = {
      "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
      "SMTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1x\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
      "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
      "HTTP/1.1 200 OK\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nab\r\n",
  };
  for (const char* b : bad) {
    ResponseParser p;
    EXPECT_EQ(p.feed(b), State::kError) << b;
    EXPECT_FALSE(p.error().empty());
  }
  ResponseParser small(ResponseParser::Limits{64, 8});
  EXPECT_EQ(small.feed("HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n"), State::kError);
  ResponseParser chunks(ResponseParser::Limits{64, 8});
  EXPECT_EQ(chunks.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n"), State::kError);
  ResponseParser head(ResponseParser::Limits{64, 8});
  EXPECT_EQ(head.feed("HTTP/1.1 200 OK\r\nX: " + std::string(100, 'a')), State::kError);
}
