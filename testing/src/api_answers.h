// Answers every part of the API handler gives (internal).
#pragma once

#include <string>

#include "mtproto/testdc/api_handler.h"
#include "mtproto/tl/writer.h"

namespace mtproto::testdc::detail {

inline rpc_answer not_logged_in() { return rpc_answer::error(401, "AUTH_KEY_UNREGISTERED"); }
inline rpc_answer bad_request(std::string message) { return rpc_answer::error(400, std::move(message)); }

template <class T>
rpc_answer answer_with(const T& value) {
  rpc_answer a;
  tl::writer w(a.result);
  value.write(w);
  return a;
}

}  // namespace mtproto::testdc::detail
