#include "run.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <iostream>
#include <set>
#include <tuple>

#include "exit_codes.h"
#include "failure.h"
#include "mtproto/download/download_queue.h"
#include "mtproto/download/downloader.h"
#include "mtproto/download/error.h"
#include "mtproto/download/file_sink.h"
#include "mtproto/download/resolver.h"
#include "output_name.h"
#include "progress.h"

namespace tgdl {
namespace {

namespace download = mtproto::download;
namespace fs = std::filesystem;
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

std::string hex(const std::array<std::uint8_t, 32>& digest) {
  std::string s;
  for (auto b : digest) s += fmt::format("{:02x}", b);
  return s;
}

void print_json(const nlohmann::json& j) {
  // Replacement rather than an exception for a -o FILE path that is not UTF-8.
  std::cout << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

std::string channel_of(const link_arg& l, const download::resolved_link& r) {
  if (!l.link.username.empty()) return l.link.username;
  return std::to_string(l.link.channel_id ? l.link.channel_id : r.channel_id);
}

/// An account and its resolver (links are resolved per account).
struct account {
  run_account who;
  std::unique_ptr<download::resolver> resolver;
};

/// The link as every account sees it: the first account's view decides what the items are.
struct pooled_link {
  download::resolved_link first;
  /// The other accounts' views, where they resolved to the same items (else nullopt: that
  /// account sits this link out).
  std::vector<std::optional<download::resolved_link>> others;
};

bool same_items(const download::resolved_link& a, const download::resolved_link& b) {
  if (a.items.size() != b.items.size()) return false;
  for (std::size_t i = 0; i < a.items.size(); ++i)
    if (a.items[i].message_id != b.items[i].message_id || a.items[i].file.size != b.items[i].file.size) return false;
  return true;
}

class runner {
 public:
  runner(std::vector<run_account> accounts, const options& o, output_target target, run_control& control)
      : o_(o), target_(std::move(target)), control_(control), mode_(detect_progress_mode(o.quiet)) {
    for (auto& a : accounts) accounts_.push_back({a, std::make_unique<download::resolver>(*a.client)});
    if (!o.range.empty()) range_ = parse_range(o.range);
  }

  asio::awaitable<int> run(std::vector<link_arg> links) {
    // Items download side by side through one queue (its budget and per-account file limits);
    // live progress lines would overwrite each other then, so several links print plain lines.
    if (links.size() > 1 && mode_ == progress_mode::live) mode_ = progress_mode::plain;
    queue_ = download::download_queue::create(accounts_.front().who.client->get_executor());
    control_.cancel.slot().assign([q = queue_](asio::cancellation_type) { q->cancel_all(); });
    control_.downloading = true;
    for (const auto& l : links) {
      if (control_.interrupted_by) break;
      auto [ec, first] = co_await download::async_resolve(*accounts_.front().resolver, l.link, as_tuple);
      if (control_.interrupted_by) break;
      if (ec) {
        if (l.in_range && (ec == download::download_errc::message_not_found || ec == download::download_errc::no_media)) {
          if (mode_ != progress_mode::quiet) fmt::print(stderr, "tgdl: {}: {}, skipped\n", l.text, ec.message());
          continue;
        }
        fail(l, "", classify(ec, accounts_.front().resolver->last_error()));
        continue;
      }
      pooled_link pooled{std::move(first), {}};
      for (std::size_t i = 1; i < accounts_.size(); ++i) {
        auto [oec, other] = co_await download::async_resolve(*accounts_[i].resolver, l.link, as_tuple);
        if (control_.interrupted_by) co_return exit_interrupted;
        if (!oec && same_items(pooled.first, other)) {
          pooled.others.emplace_back(std::move(other));
          continue;
        }
        pooled.others.emplace_back(std::nullopt);
        if (mode_ != progress_mode::quiet)
          fmt::print(stderr, "tgdl: {}: account {} cannot read it ({}); the others download it\n", l.text,
                     accounts_[i].who.name, oec ? oec.message() : "other items");
      }
      const auto& resolved = pooled.first;
      if (!target_.is_directory && resolved.items.size() != 1) {
        fail(l, "", {exit_usage, fmt::format("-o {} is one file, and the link has {} items (an album): give -o DIR/",
                                             target_.path.string(), resolved.items.size())});
        continue;
      }
      if (resolved.items.size() > 1 && mode_ == progress_mode::live) mode_ = progress_mode::plain;
      for (std::size_t i = 0; i < resolved.items.size(); ++i) {
        if (control_.interrupted_by) break;
        enqueue(l, pooled, i);
      }
    }
    // Every queued item reports as it ends; the run ends with the last.
    asio::steady_timer wait(accounts_.front().who.client->get_executor());
    while (pending_ > 0) {
      wait.expires_after(std::chrono::milliseconds(50));
      co_await wait.async_wait(as_tuple);
    }
    control_.downloading = false;
    control_.cancel.slot().clear();
    co_return control_.interrupted_by ? exit_interrupted : first_failure_;
  }

 private:
  void fail(const link_arg& l, const std::string& name, const failure& f) {
    if (!first_failure_) first_failure_ = f.code;
    if (control_.interrupted_by) return;  // the interruption is the story, not what it broke
    fmt::print(stderr, "tgdl: {}{}: {}\n", l.text, name.empty() ? "" : " (" + name + ")", f.message);
  }

  // Where an item goes, or nullopt (reported) when it is skipped or cannot be placed.
  std::optional<fs::path> place(const link_arg& l, const download::resolved_link& r, const download::media_item& item,
                                std::int64_t expected) {
    auto skip = [&](const fs::path& p) {
      progress_line(mode_, p.filename().string())
          .finish(fmt::format("{}: already complete ({} bytes), skipped", p.string(), expected));
      if (o_.json)
        print_json({{"link", l.text}, {"path", p.string()}, {"bytes", expected}, {"skipped", true},
                    {"message_id", item.message_id}});
      return std::nullopt;
    };
    if (!target_.is_directory) {
      std::error_code ec;
      const auto st = fs::symlink_status(target_.path, ec);
      if (fs::is_regular_file(st) && fs::file_size(target_.path, ec) == static_cast<std::uintmax_t>(expected) && !ec &&
          !claimed_.contains(target_.path.string()))
        return skip(target_.path);
      claimed_.insert(target_.path.string());
      return target_.path;  // the user named it: an older file of another size is replaced
    }
    const auto name = output_name({item.file.file_name, item.file.mime_type, channel_of(l, r), item.message_id});
    auto probe = [&](const std::string& candidate) {
      const auto p = target_.path / candidate;
      if (claimed_.contains(p.string())) return name_state{name_state::kind::other, 0};
      std::error_code ec;
      const auto st = fs::symlink_status(p, ec);
      if (ec || st.type() == fs::file_type::not_found) return name_state{};
      if (st.type() != fs::file_type::regular) return name_state{name_state::kind::other, 0};
      const auto size = fs::file_size(p, ec);
      return ec ? name_state{name_state::kind::other, 0}
                : name_state{name_state::kind::regular_file, static_cast<std::int64_t>(size)};
    };
    const auto choice = choose_output(name, expected, probe);
    if (!choice) {
      fail(l, name, {exit_local_io, fmt::format("{} and {} numbered names are all taken", name, max_numbered_names)});
      return std::nullopt;
    }
    const auto path = target_.path / choice->name;
    if (choice->skip) return skip(path);
    claimed_.insert(path.string());
    return path;
  }

  /// The pool for item `index` of a link: every account that resolved it.
  std::vector<download::pool_member> members(const pooled_link& p, std::size_t index) {
    std::vector<download::pool_member> m;
    auto add = [&](account& a, const download::resolved_link& r) {
      const auto& item = r.items[index];
      m.push_back({a.who.client, a.who.name, item.file, a.resolver->refresher(r, item)});
    };
    add(accounts_.front(), p.first);
    for (std::size_t i = 0; i < p.others.size(); ++i)
      if (p.others[i]) add(accounts_[i + 1], *p.others[i]);
    return m;
  }

  /// One queued item: what its completion reports on.
  struct queued_item {
    link_arg link;
    download::media_item item;
    fs::path path;
    std::shared_ptr<download::file_sink> sink;
    std::unique_ptr<progress_line> line;
  };

  void enqueue(const link_arg& l, const pooled_link& pooled, std::size_t index) {
    const auto& r = pooled.first;
    const auto& item = r.items[index];
    download::download_options d;
    std::int64_t expected = item.file.size;
    if (range_) {
      try {
        d.range = apply_range(*range_, item.file.size);
      } catch (const usage_error& e) {
        fail(l, item.file.file_name, {exit_usage, e.what()});
        return;
      }
      expected = d.range->second - d.range->first;
    }
    const auto path = place(l, r, item, expected);
    if (!path) return;

    download::file_sink_options so;
    so.resume = o_.resume;
    so.source_link = l.text;
    auto q = std::make_shared<queued_item>();
    q->link = l;
    q->item = item;
    q->path = *path;
    q->sink = std::make_shared<download::file_sink>(*path, so);
    auto& sink = *q->sink;
    if (!o_.resume && !range_ && mode_ != progress_mode::quiet && fs::exists(sink.journal_path()))
      fmt::print(stderr, "tgdl: {} has a journal from an earlier run; starting over (--resume continues it)\n",
                 sink.part_path().string());

    q->line = std::make_unique<progress_line>(mode_, path->filename().string());
    d.part_size = std::int64_t{o_.part_size_kib} * 1024;
    d.depth.max_in_flight = o_.parallel;
    d.depth.max_sessions = o_.connections;
    d.max_part_retries = o_.retries;
    d.sha256 = true;
    d.verify = o_.verify;
    d.on_progress = [line = q->line.get()](const download::download_progress& p) { line->update(p); };

    download::queued_download job;
    job.members = members(pooled, index);
    job.out = q->sink;
    job.options = std::move(d);
    // Completions run on the client's executor, the run's one thread.
    job.done = [this, q](std::error_code ec, download::download_result result) {
      finished(*q, ec, result);
      --pending_;
    };
    ++pending_;
    queue_->push(std::move(job));
  }

  void finished(queued_item& q, std::error_code ec, const download::download_result& result) {
    auto& sink = *q.sink;
    auto& line = *q.line;
    const auto& l = q.link;
    const auto& item = q.item;
    const auto* path = &q.path;
    if (ec) {
      line.end();
      if (control_.interrupted_by) {
        if (fs::exists(sink.journal_path()))
          fmt::print(stderr, "tgdl: {} kept, --resume continues it\n", sink.part_path().string());
        return;
      }
      auto f = classify(ec, result.last_error, sink.last_os_error());
      std::error_code ignored;
      if (f.code != exit_usage && fs::exists(sink.part_path(), ignored) && fs::exists(sink.journal_path(), ignored))
        f.message += fmt::format("; {} kept, --resume continues it", sink.part_path().string());
      fail(l, path->filename().string(), f);
      return;
    }
    report(l, item, *path, result, line);
  }

  void report(const link_arg& l, const download::media_item& item, const fs::path& path,
              const download::download_result& r, progress_line& line) {
    const double seconds = r.elapsed.count();
    const double rate = seconds > 0 ? static_cast<double>(r.bytes - r.resumed_bytes) / seconds / mb : 0;
    const std::string digest = r.sha256 ? hex(*r.sha256) : "";
    const auto plural = [](std::uint64_t n) { return n == 1 ? "" : "s"; };
    const auto accounts = static_cast<std::uint64_t>(r.accounts.size());
    line.finish(fmt::format("{}: {} bytes in {:.2f} s ({:.1f} MB/s, {} request{}, {} connection{}{}{}{}), sha256 {}",
                            path.string(), r.bytes, seconds, rate, r.requests, plural(r.requests), r.max_sessions,
                            plural(static_cast<std::uint64_t>(r.max_sessions)),
                            accounts > 1 ? fmt::format(", {} accounts", accounts) : "",
                            r.flood_waits ? fmt::format(", {} flood wait{}", r.flood_waits, plural(r.flood_waits)) : "",
                            r.resumed_bytes ? fmt::format(", {} bytes resumed", r.resumed_bytes) : "", digest));
    if (!o_.json) return;
    nlohmann::json used = nlohmann::json::array();
    for (const auto& a : r.accounts) {
      nlohmann::json j = {{"account", a.account}, {"bytes", a.bytes}, {"requests", a.requests},
                          {"flood_waits", a.flood_waits}};
      if (a.dropped) j["dropped"] = a.dropped.message();
      used.push_back(std::move(j));
    }
    nlohmann::json ttfb = nullptr;
    if (r.time_to_first_byte) ttfb = std::chrono::duration<double, std::milli>(*r.time_to_first_byte).count();
    print_json({{"link", l.text},
                {"path", path.string()},
                {"bytes", r.bytes},
                {"seconds", seconds},
                {"mb_per_s", rate},
                {"sha256", digest},
                {"requests", r.requests},
                {"flood_waits", r.flood_waits},
                {"retries", r.retries},
                {"ttfb_ms", ttfb},
                {"connections", r.max_sessions},
                {"resumed_bytes", r.resumed_bytes},
                {"dc", r.dc},
                {"migrations", r.migrations},
                {"reference_refreshes", r.reference_refreshes},
                {"verified", o_.verify},
                {"hash_mismatches", r.hash_mismatches},
                {"accounts", std::move(used)},
                {"message_id", item.message_id},
                {"skipped", false}});
  }

  const options& o_;
  output_target target_;
  run_control& control_;
  std::vector<account> accounts_;
  std::shared_ptr<download::download_queue> queue_;
  std::size_t pending_ = 0;  // queued or running items
  progress_mode mode_;
  std::optional<byte_range> range_;
  std::set<std::string> claimed_;  // paths this run wrote: never "already complete"
  int first_failure_ = exit_ok;
};

/// A runner kept alive by `keep` (type-erased: the coroutine frame holding it must not name a
/// type of this anonymous namespace) and its run.
asio::awaitable<int> start_runner(std::shared_ptr<void>& keep, std::vector<run_account> accounts, const options& o,
                                  std::vector<link_arg> links, output_target target, run_control& control) {
  auto r = std::make_shared<runner>(std::move(accounts), o, std::move(target), control);
  keep = r;
  return r->run(std::move(links));
}

}  // namespace

output_target decide_output(const options& o, std::size_t link_count) {
  const fs::path p = o.output.empty() ? fs::path(".") : fs::path(o.output);
  if (fs::is_directory(p)) return {p, true};
  if (o.output.ends_with('/')) {
    fs::create_directories(p);
    return {p, true};
  }
  if (link_count > 1)
    throw usage_error(fmt::format("-o {} is not a directory, and {} links need one (end it with '/' to create it)",
                                  o.output, link_count));
  return {p, false};
}

asio::awaitable<int> run_downloads(std::vector<run_account> accounts, const options& o, std::vector<link_arg> links,
                                   output_target target, run_control& control) {
  std::shared_ptr<void> keep;
  auto work = start_runner(keep, std::move(accounts), o, std::move(links), std::move(target), control);
  co_return co_await std::move(work);
}

}  // namespace tgdl
