// A resolved link as JSON (what the shared cache keeps in Redis) and back. Reading is strict and
// bounded: the text comes from outside the process, so anything out of shape is nothing (a cache
// miss), never a half-read value.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mtproto/download/resolver.h"

namespace tgstream {

/// Texts longer than this are refused unread.
inline constexpr std::size_t max_resolved_json = 64 * 1024;

std::string resolved_to_json(const mtproto::download::resolved_link& r);
std::optional<mtproto::download::resolved_link> resolved_from_json(std::string_view text);

}  // namespace tgstream
