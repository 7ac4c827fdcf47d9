#include "dc_setup.h"

#include <fmt/format.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "mtproto/crypto/rsa.h"
#include "mtproto/testdc/ready_file.h"

namespace mtproto::examples {

client::dc_table load_dc_table(const std::string& path) {
  testdc::dc_config config;
  try {
    config = testdc::read_dc_config(path);
  } catch (const testdc::ready_file_error& e) {
    throw std::invalid_argument(fmt::format("--dc-config: {}", e.what()));
  }
  auto table = client::dc_table::empty();
  for (const auto& dc : config.dcs) {
    client::dc_endpoint e;
    e.host = dc.host;
    e.port = dc.port;
    e.cdn = dc.cdn;
    table.add(dc.id, e);
  }
  // DC 2 is where Telegram's clients start (and the home of mtproto-testdc's bot).
  table.set_default_dc(table.has(2) ? 2 : config.dcs.front().id);
  if (!config.rsa_public_key_pem.empty()) {
    try {
      table.set_rsa_keys({crypto::rsa_public_key::from_pem(config.rsa_public_key_pem)});
    } catch (const std::exception& e) {
      throw std::invalid_argument(fmt::format("--dc-config: rsa_public_key_pem: {}", e.what()));
    }
  }
  return table;
}

std::string read_whole_file(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument(fmt::format("{}: cannot read {}", what, path));
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string read_secret_file(const std::string& path, const char* what) {
  auto s = read_whole_file(path, what);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) throw std::invalid_argument(fmt::format("{}: {} is empty", what, path));
  return s;
}

}  // namespace mtproto::examples
