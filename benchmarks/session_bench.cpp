// Throughput of the encrypted session on one core, for upload.file-sized answers:
//   receive: client_session::feed of an rpc_result packet (decrypt in place with the fused
//            IGE+SHA-256, msg_key check, framing, replay window, event) — the download hot path;
//   raw:     ige_decrypt_sha256 alone on the same bytes — the floor the session adds to;
//   send:    server_session::reply + finalize (SHA-256 for msg_key, then IGE encrypt) — the
//            emulator's per-byte cost;
//   send x4: four replies, then finalize_all (the four AES chains interleaved) — what the
//            emulator does when a read brought several requests.
// Medians of several repetitions; MB/s counts payload bytes (1 MB = 1e6 bytes).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <random>
#include <vector>

#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/kdf.h"
#include "mtproto/session/client_session.h"
#include "mtproto/session/server_session.h"
#include "mtproto/tl/writer.h"

namespace {

using namespace mtproto;
using namespace mtproto::session;
using steady = std::chrono::steady_clock;

constexpr int repetitions = 7;
constexpr std::size_t packets_per_repetition = 24;

void fast_random(std::span<std::uint8_t> out) {
  static std::mt19937_64 rng(7);
  for (auto& b : out) b = static_cast<std::uint8_t>(rng());
}

auth_key make_key() {
  auth_key::bytes_type k;
  std::mt19937 rng(1);
  for (auto& b : k) b = static_cast<std::uint8_t>(rng());
  return auth_key(k);
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// upload.file#96a18d5 type:storage.FileType mtime:int bytes:bytes, with storage.filePartial.
std::vector<std::uint8_t> upload_file_answer(std::size_t size) {
  std::vector<std::uint8_t> body;
  tl::writer w(body);
  w.write_uint(0x096a18d5);
  w.write_uint(0x40bc6f52);
  w.write_int(0);
  std::vector<std::uint8_t> bytes(size);
  fast_random(bytes);
  w.write_bytes(bytes);
  return body;
}

struct row {
  double receive, raw, send, send_batch;
};

row measure(std::size_t size) {
  const auto key = make_key();
  const auto answer = upload_file_answer(size);
  const auto now = clock::now();
  std::vector<double> receive, raw, send, send_batch;
  for (int rep = 0; rep < repetitions; ++rep) {
    client_session client(key, 1, 2, fast_random);
    server_session server(key, 2, fast_random);
    std::vector<std::uint8_t> request = {0x44, 0x33, 0x22, 0x11};
    for (std::size_t i = 0; i < packets_per_repetition; ++i) client.push(request);
    auto out = client.finalize(now);
    const std::vector<std::uint8_t> request_packet(out->bytes().begin(), out->bytes().end());
    std::vector<server_event> incoming;
    server.feed(out->bytes(), now, incoming);

    std::vector<outgoing_packet> packets;
    const auto s0 = steady::now();
    for (const auto& e : incoming) {
      server.reply(std::get<incoming_request>(e).msg_id, answer);
      // The session's first packet carries new_session_created and the acks; an answer too big
      // to share a container with them goes in the next one.
      while (auto p = server.finalize(now)) packets.push_back(std::move(*p));
    }
    const double send_s = std::chrono::duration<double>(steady::now() - s0).count();

    // The same answers from a second server session, four at a time, sealed together.
    {
      server_session batch_server(key, 2, fast_random);
      auto copy = request_packet;
      std::vector<server_event> batch_incoming;
      batch_server.feed(copy, now, batch_incoming);
      std::size_t sealed = 0;
      const auto b0 = steady::now();
      for (std::size_t i = 0; i < batch_incoming.size(); ++i) {
        batch_server.reply(std::get<incoming_request>(batch_incoming[i]).msg_id, answer);
        if (i % 4 == 3 || i + 1 == batch_incoming.size()) sealed += batch_server.finalize_all(now).size();
      }
      const double batch_s = std::chrono::duration<double>(steady::now() - b0).count();
      if (sealed < packets_per_repetition) {
        std::fprintf(stderr, "session_bench: %zu packets sealed for %zu answers\n", sealed, packets_per_repetition);
        std::exit(1);
      }
      send_batch.push_back(static_cast<double>(size * packets_per_repetition) / batch_s / 1e6);
    }

    // The raw floor: the same decryption on copies of the same packets.
    std::vector<std::vector<std::uint8_t>> copies;
    for (auto& p : packets) copies.emplace_back(p.bytes().begin(), p.bytes().end());
    const auto r0 = steady::now();
    for (auto& c : copies) {
      crypto::msg_key_bytes mk;
      std::copy_n(c.begin() + 8, 16, mk.begin());
      const auto aes = crypto::derive_message_keys(key.bytes(), mk, crypto::direction::server_to_client);
      const crypto::aes256_ige_key k(aes.key);
      auto body = std::span(c).subspan(24);
      (void)crypto::ige_decrypt_sha256(k, aes.iv, crypto::msg_key_hash_prefix(key.bytes(), crypto::direction::server_to_client),
                                       body, body);
    }
    const double raw_s = std::chrono::duration<double>(steady::now() - r0).count();

    std::vector<event> events;
    std::size_t results = 0;
    const auto c0 = steady::now();
    for (auto& p : packets) {
      events.clear();
      client.feed(p.bytes(), now, events);
      for (auto& e : events) results += std::holds_alternative<rpc_result_event>(e);
    }
    const double receive_s = std::chrono::duration<double>(steady::now() - c0).count();
    if (results != packets_per_repetition) {
      std::fprintf(stderr, "session_bench: %zu of %zu answers arrived\n", results, packets_per_repetition);
      std::exit(1);
    }
    const double bytes = static_cast<double>(size * packets_per_repetition);
    receive.push_back(bytes / receive_s / 1e6);
    raw.push_back(bytes / raw_s / 1e6);
    send.push_back(bytes / send_s / 1e6);
  }
  return {median(receive), median(raw), median(send), median(send_batch)};
}

}  // namespace

int main() {
  std::printf("session_bench: %d repetitions x %zu packets, median MB/s of payload (1 MB = 1e6 B)\n\n", repetitions,
              packets_per_repetition);
  std::printf("| answer size | client feed (receive) | raw fused decrypt | feed / raw | server reply+seal (send) | "
              "send, 4 sealed together | x4 / one |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|\n");
  for (std::size_t kib : {64, 128, 512, 1024}) {
    const auto r = measure(kib * 1024);
    std::printf("| %zu KiB | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |\n", kib, r.receive, r.raw, r.receive / r.raw,
                r.send, r.send_batch, r.send_batch / r.send);
  }
  return 0;
}
