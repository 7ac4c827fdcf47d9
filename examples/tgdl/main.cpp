// tgdl: downloads the media of Telegram messages by their links, on mtproto::download's public
// API (parse_link, resolver, async_download, file_sink). See `tgdl --help` and README.md.
//
//   options.cpp       the command line (CLI11)
//   client_setup.cpp  secrets, DC table, transport, session file → client_options
//   login.cpp         `tgdl login` and the bot login before a run
//   run.cpp           resolve each link, download each item, report it
//   message_range.cpp NAME/100-120 → one link per message
//   output_name.cpp   safe file names, skip or number taken ones
//   progress.cpp      the progress line
//   failure.cpp       errors → exit codes
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>
#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "mtproto/core/large_buffers.h"

#include "client_setup.h"
#include "exit_codes.h"
#include "login.h"
#include "message_range.h"
#include "mtproto/client/client.h"
#include "mtproto/download/link.h"
#include "options.h"
#include "run.h"

namespace {

using namespace tgdl;

int usage(const std::string& message) {
  fmt::print(stderr, "tgdl: {}\nRun with --help for more information.\n", message);
  return exit_usage;
}

// Every link is checked before anything connects: a typo in the tenth link should not cost nine
// downloads first.
std::variant<std::vector<link_arg>, int> parse_links(const std::vector<std::string>& texts) {
  std::vector<link_arg> links;
  bool bad = false;
  for (const auto& given : texts) {
    const auto range = expand_message_range(given);
    for (const auto& text : range ? *range : std::vector<std::string>{given}) {
      auto parsed = mtproto::download::parse_link(text);
      if (!parsed) {
        fmt::print(stderr, "tgdl: bad link \"{}\": {} (at byte {})\n", text.size() > 200 ? text.substr(0, 200) + "..." : text,
                   parsed.error().message, parsed.error().offset);
        bad = true;
        break;  // one report for a whole range
      }
      links.push_back({text, parsed.link(), range.has_value()});
    }
  }
  if (bad) return exit_usage;
  return links;
}

}  // namespace

int main(int argc, char** argv) {
  mtproto::core::keep_large_buffers_in_heap();  // parts arrive in buffers of up to 1 MiB each
  // A file-size limit (ulimit -f) must surface as EFBIG from write(), a local I/O error with the
  // journal kept, not kill the process; a closed stdout pipe likewise must not kill a download.
  std::signal(SIGXFSZ, SIG_IGN);
  std::signal(SIGPIPE, SIG_IGN);
  // Ctrl-C before the downloads start (logging in, resolving) exits 130 as it does later; the
  // graceful handler below replaces this one once there is something to keep.
  std::signal(SIGINT, [](int) { std::_Exit(130); });
  std::signal(SIGTERM, [](int) { std::_Exit(143); });

  options o;
  std::vector<link_arg> links;
  output_target target;
  secrets keys;
  std::vector<account_plan> plans;
  std::vector<mtproto::client::client_options> client_options;
  try {
    auto parsed = parse_command_line(argc, argv);
    if (auto* code = std::get_if<int>(&parsed)) return *code;
    o = std::move(std::get<options>(parsed));
    if (!o.login) {
      auto checked = parse_links(collect_links(o));
      if (auto* code = std::get_if<int>(&checked)) return *code;
      links = std::move(std::get<std::vector<link_arg>>(checked));
      if (links.empty()) return usage("--from " + o.from_file + " holds no links");
      target = decide_output(o, links.size());
    }
    keys = read_secrets(o);
    plans = plan_accounts(o, keys);
    for (const auto& plan : plans) client_options.push_back(make_client_options(o, keys, &plan));
  } catch (const usage_error& e) {
    return usage(e.what());
  } catch (const std::filesystem::filesystem_error& e) {
    fmt::print(stderr, "tgdl: -o {}: {}\n", o.output, e.code().message());
    return exit_local_io;
  } catch (const std::exception& e) {
    return usage(e.what());
  }

  asio::io_context io;
  std::vector<std::unique_ptr<mtproto::client::client>> clients;
  for (std::size_t i = 0; i < plans.size(); ++i) {
    clients.push_back(std::make_unique<mtproto::client::client>(io.get_executor(), std::move(client_options[i])));
    if (auto ec = clients.back()->load_error()) {
      fmt::print(stderr, "tgdl: session file {}: {} (refusing to reuse it)\n", plans[i].session, ec.message());
      return exit_local_io;
    }
  }
  auto& c = *clients.front();
  auto shutdown_all = [&] {
    for (auto& each : clients) each->shutdown();
  };

  run_control control;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  std::function<void(std::error_code, int)> on_signal = [&](std::error_code ec, int sig) {
    if (ec) return;
    if (control.interrupted_by) std::_Exit(128 + sig);  // a second ^C: the user means it
    control.interrupted_by = sig;
    fmt::print(stderr, "\ntgdl: interrupted\n");
    // A download is cancelled (its sink keeps NAME.part and the journal); anything else in
    // flight (a login, a resolve) ends with the client.
    if (control.downloading) control.cancel.emit(asio::cancellation_type::terminal);
    else shutdown_all();
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);

  int code = exit_network;
  auto work = [&]() -> asio::awaitable<int> {
    if (o.login) co_return co_await run_login(c, o, keys);
    std::vector<run_account> accounts;
    for (std::size_t i = 0; i < clients.size(); ++i) {
      if (const int rc = co_await ensure_logged_in(*clients[i], plans[i].bot_token); rc != exit_ok) {
        if (clients.size() > 1 && !control.interrupted_by)
          fmt::print(stderr, "tgdl: (account {} of {}: {})\n", i + 1, clients.size(), plans[i].name);
        co_return control.interrupted_by ? exit_interrupted : rc;
      }
      accounts.push_back({clients[i].get(), plans[i].name});
    }
    co_return co_await run_downloads(std::move(accounts), o, std::move(links), target, control);
  };
  asio::co_spawn(io, work(), [&](std::exception_ptr e, int rc) {
    code = rc;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        fmt::print(stderr, "tgdl: {}\n", ex.what());
        code = exit_network;
      }
    }
    signals.cancel();
    shutdown_all();
  });
  io.run();
  if (control.interrupted_by) return 128 + control.interrupted_by;
  return code;
}
