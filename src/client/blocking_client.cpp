#include "mtproto/client/blocking_client.h"

#include <asio/post.hpp>

#include <stdexcept>

namespace mtproto::client {

blocking_client::blocking_client(client_options options) {
  work_.emplace(asio::make_work_guard(io_));
  client_ = std::make_unique<client>(io_.get_executor(), std::move(options));
  std::packaged_task<void()> run([this] { io_.run(); });
  thread_done_ = run.get_future();
  thread_ = std::thread(std::move(run));
}

blocking_client::~blocking_client() { shutdown(); }

void blocking_client::refuse_own_thread() {
  if (io_.get_executor().running_in_this_thread())
    throw std::logic_error("blocking_client: a blocking call from the client's own thread would wait on itself");
}

void blocking_client::shutdown() {
  {
    std::unique_lock lock(lifetime_);
    if (closed_) return;
    refuse_own_thread();
    closed_ = true;
  }
  // The client fails what is queued or in flight; their completions still run on the thread,
  // which ends once nothing is left to do.
  client_->shutdown();
  work_.reset();
  if (thread_done_.wait_for(shutdown_grace) != std::future_status::ready) io_.stop();
  thread_.join();
}

api::User blocking_client::sign_in_bot(std::string bot_token) {
  return wait(mtproto::client::sign_in_bot(*client_, std::move(bot_token)));
}

sent_code blocking_client::send_code(std::string phone) {
  return wait(mtproto::client::send_code(*client_, std::move(phone)));
}

api::User blocking_client::sign_in(const sent_code& code, std::string phone_code) {
  return wait(mtproto::client::sign_in(*client_, code, std::move(phone_code)));
}

api::User blocking_client::check_password(std::string password) {
  return wait(mtproto::client::check_password(*client_, std::move(password)));
}

}  // namespace mtproto::client
