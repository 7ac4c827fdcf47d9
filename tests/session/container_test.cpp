#include <catch2/catch.hpp>

#include "mtproto/session/container.h"

using namespace mtproto;
using namespace mtproto::session;

namespace {
std::vector<std::uint8_t> body_of(std::uint32_t id, std::size_t extra_words) {
  std::vector<std::uint8_t> b;
  tl::writer w(b);
  w.write_uint(id);
  for (std::size_t i = 0; i < extra_words; ++i) w.write_uint(static_cast<std::uint32_t>(i));
  return b;
}
}  // namespace

TEST_CASE("container round trip keeps bodies as views into the input") {
  auto a = body_of(0x11111111, 0), b = body_of(0x22222222, 5);
  std::vector<message_view> in = {{100, 1, a}, {104, 3, b}};
  std::vector<std::uint8_t> buf;
  tl::writer w(buf);
  write_container(w, in);
  CHECK(buf.size() == 8 + 2 * 16 + a.size() + b.size());

  tl::reader r(buf);
  CHECK(r.read_uint() == msg_container_id);
  auto out = parse_container(r);
  REQUIRE(out.size() == 2);
  CHECK(out[0].msg_id == 100);
  CHECK(out[1].seqno == 3);
  CHECK(std::vector<std::uint8_t>(out[1].body.begin(), out[1].body.end()) == b);
  CHECK(out[1].body.data() >= buf.data());
  CHECK(out[1].body.data() < buf.data() + buf.size());
  CHECK(r.at_end());
}

TEST_CASE("malformed containers are typed errors") {
  auto inner = body_of(0x11111111, 1);
  auto make = [&](std::int32_t len, std::uint32_t count = 1) {
    std::vector<std::uint8_t> buf;
    tl::writer w(buf);
    w.write_count(count);
    w.write_long(100);
    w.write_int(1);
    w.write_int(len);
    w.write_raw(inner);
    return buf;
  };
  for (std::int32_t len : {-4, 0, 3, 9, 1 << 20}) {
    auto buf = make(len);
    tl::reader r(buf);
    CHECK_THROWS_AS(parse_container(r), tl::decode_error);
  }
  auto huge = make(8, 0x7fffffff);
  tl::reader r(huge);
  CHECK_THROWS_AS(parse_container(r), tl::decode_error);

  auto nested_body = body_of(msg_container_id, 1);
  std::vector<message_view> nested = {{100, 1, nested_body}};
  std::vector<std::uint8_t> buf;
  tl::writer w(buf);
  write_container(w, nested);
  tl::reader r2(buf);
  r2.read_uint();
  CHECK_THROWS_AS(parse_container(r2), tl::decode_error);
}

TEST_CASE("rpc_result framing") {
  auto result = body_of(0x2144ca19, 3);
  std::vector<std::uint8_t> buf;
  tl::writer w(buf);
  write_rpc_result(w, 0x1234, result);
  tl::reader r(buf);
  CHECK(r.read_uint() == rpc_result_id);
  auto v = parse_rpc_result(r);
  CHECK(v.req_msg_id == 0x1234);
  CHECK(std::vector<std::uint8_t>(v.result.begin(), v.result.end()) == result);

  std::vector<std::uint8_t> short_buf(8, 0);
  tl::reader r2(short_buf);
  CHECK_THROWS_AS(parse_rpc_result(r2), tl::decode_error);
}
