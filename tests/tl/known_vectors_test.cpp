// Handshake messages with published bytes (../shared/vectors): the official "Creating an
// Authorization Key" sample and grammers' recorded production handshake. Each parses with the
// generated mtproto.tl types and serializes back byte for byte.
#include <catch2/catch.hpp>

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <string>
#include <vector>

#include "mtproto/mt/P_Q_inner_data.h"
#include "mtproto/mt/ResPQ.h"
#include "mtproto/mt/Server_DH_inner_data.h"
#include "mtproto/mt/registry.h"
#include "mtproto/mt/fn/req_DH_params.h"
#include "mtproto/tl/schema_info.h"

namespace mt = mtproto::mt;
namespace tl = mtproto::tl;

namespace {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The string value at a path of object keys; enough JSON for these fixture files.
std::string json_string(const std::string& doc, std::initializer_list<std::string> path) {
  std::size_t pos = 0;
  for (const auto& key : path) {
    pos = doc.find("\"" + key + "\"", pos);
    REQUIRE(pos != std::string::npos);
    pos += key.size() + 2;
  }
  pos = doc.find('"', doc.find(':', pos));
  const auto end = doc.find('"', pos + 1);
  return doc.substr(pos + 1, end - pos - 1);
}

std::vector<std::uint8_t> unhex(const std::string& h) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return out;
}

// Parses with the id tables and re-serializes; returns the object for further checks.
tl::object round_trip(const std::vector<std::uint8_t>& bytes, bool is_function, std::string_view expected_name) {
  tl::reader r(bytes);
  tl::object o = is_function ? tl::read_function_call(mt::schema(), r) : tl::read_object(mt::schema(), r);
  CHECK(r.at_end());
  CHECK(o.name() == expected_name);
  std::vector<std::uint8_t> again;
  tl::writer w(again);
  o.write(w);
  CHECK(again == bytes);
  return o;
}

const std::string shared = MTPROTO_SHARED_DIR;

}  // namespace

TEST_CASE("official auth-key sample messages parse and re-serialize byte for byte") {
  const auto doc = read_file(shared + "/vectors/auth_key_sample_core_docs.json");
  const auto body = [&](const char* name) {
    auto m = unhex(json_string(doc, {"messages_reconstructed", name}));
    return std::vector<std::uint8_t>(m.begin() + 20, m.end());  // after auth_key_id, msg_id, length
  };
  round_trip(body("req_pq"), true, "req_pq");
  const auto res = round_trip(body("resPQ"), false, "resPQ");
  const auto* pq = res.get_if<mt::resPQ>();
  REQUIRE(pq != nullptr);
  CHECK(pq->pq == std::string("\x17\xED\x48\x94\x1A\x08\xF9\x81", 8));
  CHECK(tl::bytes(pq->nonce.begin(), pq->nonce.end()) == unhex(json_string(doc, {"sample", "nonce"})));
  REQUIRE(pq->server_public_key_fingerprints.size() == 1);

  const auto dh = round_trip(body("req_DH_params"), true, "req_DH_params");
  CHECK(dh.get_if<mt::req_DH_params>()->p == std::string("\x49\x4C\x55\x3B", 4));
  round_trip(body("server_DH_params_ok"), false, "server_DH_params_ok");
  round_trip(body("set_client_DH_params"), true, "set_client_DH_params");
  round_trip(body("dh_gen_ok"), false, "dh_gen_ok");

  round_trip(unhex(json_string(doc, {"p_q_inner_data_serialized"})), false, "p_q_inner_data");
  round_trip(unhex(json_string(doc, {"client_DH_inner_data_serialized"})), false, "client_DH_inner_data");
  const auto inner = round_trip(unhex(json_string(doc, {"sample", "answer"})), false, "server_DH_inner_data");
  CHECK(inner.get_if<mt::server_DH_inner_data>()->g == 2);
  CHECK(inner.get_if<mt::server_DH_inner_data>()->server_time == 1373993675);
}

TEST_CASE("grammers' recorded handshake parses and re-serializes byte for byte") {
  const auto doc = read_file(shared + "/vectors/auth_key_flow_grammers.json");
  const auto rec = [&](const char* name) { return unhex(json_string(doc, {"recorded", name})); };
  round_trip(rec("step1_request"), true, "req_pq_multi");
  round_trip(rec("step1_response"), false, "resPQ");
  round_trip(rec("step2_request"), true, "req_DH_params");
  round_trip(rec("step2_response"), false, "server_DH_params_ok");
  round_trip(rec("step3_request"), true, "set_client_DH_params");
  round_trip(rec("step3_response"), false, "dh_gen_ok");
  const auto inner = round_trip(unhex(json_string(doc, {"derived_by_us", "p_q_inner_data"})), false, "p_q_inner_data");
  CHECK(inner.get_if<mt::p_q_inner_data>()->pq.size() == 8);
  round_trip(unhex(json_string(doc, {"derived_by_us", "client_DH_inner_data"})), false, "client_DH_inner_data");

  // The typed reader agrees with the id table.
  const auto bytes = rec("step1_response");
  tl::reader r(bytes);
  const auto typed = mt::ResPQ::read(r);
  CHECK(typed.get_if<mt::resPQ>()->server_public_key_fingerprints.size() == 3);
}
