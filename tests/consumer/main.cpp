// A program built against mtproto the way users build against it (find_package from the install
// tree or the build tree, add_subdirectory, pkg-config): it creates a client, calls help.getConfig
// against mtproto-testdc and checks the answer.
//   consumer HOST DC1_PORT DC2_PORT RSA_PUBLIC_KEY.pem
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <mtproto/api/Config.h>
#include <mtproto/api/fn/help/getConfig.h>
#include <mtproto/client/client.h>
#include <mtproto/tl/reader.h>
#include <mtproto/tl/writer.h>
#include <mtproto/version.h>
#ifdef CONSUMER_HAS_OWN_SCHEMA
#include <consumer/tl/Greeting.h>
#endif

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: consumer HOST DC1_PORT DC2_PORT RSA_PUBLIC_KEY.pem\n");
    return 2;
  }
#ifdef CONSUMER_HAS_OWN_SCHEMA
  {
    const consumer::tl::greeting hello{.text = "hello", .times = 3};
    std::vector<std::uint8_t> bytes;
    mtproto::tl::writer w(bytes);
    hello.write(w);
    mtproto::tl::reader r(bytes);
    if (consumer::tl::Greeting::read(r).get_if<consumer::tl::greeting>()->times != 3) {
      std::fprintf(stderr, "consumer: own schema round trip failed\n");
      return 1;
    }
  }
#endif
  std::ifstream pem_file(argv[4]);
  std::stringstream pem;
  pem << pem_file.rdbuf();

  mtproto::client::client_options o;
  o.api_id = 12345;
  o.api_hash = "0123456789abcdef0123456789abcdef";
  o.dc_table = mtproto::client::dc_table::empty();
  for (int dc = 1; dc <= 2; ++dc) o.dc_table.set(dc, argv[1], static_cast<std::uint16_t>(std::stoi(argv[1 + dc])));
  o.dc_table.set_rsa_keys({mtproto::crypto::rsa_public_key::from_pem(pem.str())});

  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });
  int rc = 1;
  {
    mtproto::client::client c(io.get_executor(), o);
    auto r = c.async_invoke(mtproto::api::help::getConfig{}, asio::use_future).get();
    if (!r) {
      std::fprintf(stderr, "consumer: help.getConfig failed: %s\n", r.error().message().c_str());
    } else if (const auto* cfg = r->get_if<mtproto::api::config>(); !cfg || cfg->dc_options.size() < 2) {
      std::fprintf(stderr, "consumer: help.getConfig answered without the DCs\n");
    } else {
      std::printf("consumer: mtproto %s, layer %d, help.getConfig lists %zu DC options\n", mtproto::version_string,
                  mtproto::api::layer, cfg->dc_options.size());
      rc = 0;
    }
    c.shutdown();
  }
  work.reset();
  runner.join();
  return rc;
}
