// AES-NI and SHA-NI kernels. Every function carries its own target attribute (see x86_kernels.h).
//
// IGE chain trick: both directions need two XORs around each block cipher call
// (encrypt: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}). Folding p_{i-1} into the last round key and
// p_i into the first one takes both off the dependency chain, which is then exactly what CBC
// encryption has: 14 AES rounds plus one XOR per block.
#include "x86_kernels.h"

#if defined(__x86_64__)

#include <immintrin.h>

#include <algorithm>
#include <cstring>
#include <utility>

#define MTPROTO_AES_TARGET __attribute__((target("aes,sse4.1")))
#define MTPROTO_SHA_TARGET __attribute__((target("sha,sse4.1")))
#define MTPROTO_AES_SHA_TARGET __attribute__((target("aes,sha,sse4.1")))
#define MTPROTO_VAES_TARGET __attribute__((target("aes,vaes,avx2,sse4.1")))
#define MTPROTO_INLINE_VAES inline __attribute__((always_inline, target("aes,vaes,avx2,sse4.1")))
#define MTPROTO_INLINE_AES inline __attribute__((always_inline, target("aes,sse4.1")))
#define MTPROTO_INLINE_SHA inline __attribute__((always_inline, target("sha,sse4.1")))
#define MTPROTO_INLINE_AES_SHA inline __attribute__((always_inline, target("aes,sha,sse4.1")))

namespace mtproto::crypto::detail {
namespace {

inline __m128i load(const std::uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(p)); }
inline void store(std::uint8_t* p, __m128i v) { _mm_storeu_si128(reinterpret_cast<__m128i*>(p), v); }

// ---- AES-256 key expansion -------------------------------------------------------------

inline __m128i spread_left(__m128i k) {
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  k = _mm_xor_si128(k, _mm_slli_si128(k, 4));
  return _mm_xor_si128(k, _mm_slli_si128(k, 4));
}

template <int Rcon>
MTPROTO_INLINE_AES void expand_pair(__m128i* k, int i) {
  // Even words: RotWord+SubWord of the previous odd key with the round constant.
  k[i] = _mm_xor_si128(spread_left(k[i - 2]), _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k[i - 1], Rcon), 0xff));
  if (i + 1 < 15) {
    // Odd words: SubWord only (AES-256's extra substitution step).
    k[i + 1] = _mm_xor_si128(spread_left(k[i - 1]), _mm_shuffle_epi32(_mm_aeskeygenassist_si128(k[i], 0), 0xaa));
  }
}

// ---- SHA-256 ------------------------------------------------------------------------------

alignas(16) constexpr std::uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

// SHA-NI keeps the state as two registers {A,B,E,F} and {C,D,G,H}.
struct sha_state {
  __m128i abef;
  __m128i cdgh;
};

MTPROTO_INLINE_SHA sha_state sha_load_state(const std::uint32_t* s) {
  __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
  __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + 4));
  __m128i cdab = _mm_shuffle_epi32(dcba, 0xb1);
  __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1b);
  return {_mm_alignr_epi8(cdab, efgh, 8), _mm_blend_epi16(efgh, cdab, 0xf0)};
}

MTPROTO_INLINE_SHA void sha_store_state(const sha_state& st, std::uint32_t* s) {
  __m128i feba = _mm_shuffle_epi32(st.abef, 0x1b);
  __m128i dchg = _mm_shuffle_epi32(st.cdgh, 0xb1);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s), _mm_blend_epi16(feba, dchg, 0xf0));
  _mm_storeu_si128(reinterpret_cast<__m128i*>(s + 4), _mm_alignr_epi8(dchg, feba, 8));
}

// One SHA-256 block compression, split into its 16 groups of four rounds so that the groups can
// be spread between the rounds of an AES chain (the fused receive kernel below).
struct sha_job {
  __m128i w[4];      // the message schedule, four words per register
  sha_state saved;   // the state before the block, added back at the end
};

// A block given as four 16-byte registers in message byte order.
MTPROTO_INLINE_SHA void sha_job_start(sha_job& j, const sha_state& st, __m128i b0, __m128i b1, __m128i b2, __m128i b3) {
  const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
  j.w[0] = _mm_shuffle_epi8(b0, bswap);
  j.w[1] = _mm_shuffle_epi8(b1, bswap);
  j.w[2] = _mm_shuffle_epi8(b2, bswap);
  j.w[3] = _mm_shuffle_epi8(b3, bswap);
  j.saved = st;
}

// Rounds 4G .. 4G+3, and the schedule words they make ready for later groups.
template <int G>
MTPROTO_INLINE_SHA void sha_job_group(sha_state& st, sha_job& j) {
  __m128i& cur = j.w[G & 3];
  __m128i& next = j.w[(G + 1) & 3];
  __m128i& prev = j.w[(G + 3) & 3];
  __m128i msg = _mm_add_epi32(cur, _mm_load_si128(reinterpret_cast<const __m128i*>(sha256_k + 4 * G)));
  st.cdgh = _mm_sha256rnds2_epu32(st.cdgh, st.abef, msg);
  if constexpr (G >= 3 && G <= 14) {  // finish W for group G+1
    next = _mm_add_epi32(next, _mm_alignr_epi8(cur, prev, 4));
    next = _mm_sha256msg2_epu32(next, cur);
  }
  msg = _mm_shuffle_epi32(msg, 0x0e);
  st.abef = _mm_sha256rnds2_epu32(st.abef, st.cdgh, msg);
  if constexpr (G >= 1 && G <= 12) prev = _mm_sha256msg1_epu32(prev, cur);  // start W for group G+3
}

MTPROTO_INLINE_SHA void sha_job_finish(sha_state& st, const sha_job& j) {
  st.abef = _mm_add_epi32(st.abef, j.saved.abef);
  st.cdgh = _mm_add_epi32(st.cdgh, j.saved.cdgh);
}

template <int... G>
MTPROTO_INLINE_SHA void sha_job_groups(sha_state& st, sha_job& j, std::integer_sequence<int, G...>) {
  (sha_job_group<G>(st, j), ...);
}

// One 64-byte block given as four 16-byte registers in message byte order.
MTPROTO_INLINE_SHA void sha_compress(sha_state& st, __m128i b0, __m128i b1, __m128i b2, __m128i b3) {
  sha_job j;
  sha_job_start(j, st, b0, b1, b2, b3);
  sha_job_groups(st, j, std::make_integer_sequence<int, 16>{});
  sha_job_finish(st, j);
}

constexpr std::uint32_t sha256_initial_state[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

// ---- IGE block steps ----------------------------------------------------------------------

struct aes_keys {
  __m128i k[15];
};

MTPROTO_INLINE_AES aes_keys load_keys(const std::uint8_t* schedule) {
  aes_keys keys;
  for (int i = 0; i < 15; ++i) keys.k[i] = load(schedule + 16 * i);
  return keys;
}

// p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}; updates the chain values.
MTPROTO_INLINE_AES __m128i ige_decrypt_block(const aes_keys& dk, __m128i c, __m128i& c_prev, __m128i& p_prev) {
  __m128i s = _mm_xor_si128(p_prev, _mm_xor_si128(c, dk.k[0]));
#pragma GCC unroll 13
  for (int r = 1; r < 14; ++r) s = _mm_aesdec_si128(s, dk.k[r]);
  const __m128i p = _mm_aesdeclast_si128(s, _mm_xor_si128(dk.k[14], c_prev));
  c_prev = c;
  p_prev = p;
  return p;
}

// ige_decrypt_block with four round groups of a pending SHA-256 block (groups G .. G+3) placed
// between its AES rounds. Both are serial chains bound by instruction latency; side by side in
// program order they overlap without needing the core to look far ahead.
template <int G>
MTPROTO_INLINE_AES_SHA __m128i ige_decrypt_block_sha(const aes_keys& dk, __m128i c, __m128i& c_prev, __m128i& p_prev,
                                                      sha_state& st, sha_job& j) {
  __m128i s = _mm_xor_si128(p_prev, _mm_xor_si128(c, dk.k[0]));
  s = _mm_aesdec_si128(s, dk.k[1]);
  s = _mm_aesdec_si128(s, dk.k[2]);
  s = _mm_aesdec_si128(s, dk.k[3]);
  sha_job_group<G>(st, j);
  s = _mm_aesdec_si128(s, dk.k[4]);
  s = _mm_aesdec_si128(s, dk.k[5]);
  s = _mm_aesdec_si128(s, dk.k[6]);
  sha_job_group<G + 1>(st, j);
  s = _mm_aesdec_si128(s, dk.k[7]);
  s = _mm_aesdec_si128(s, dk.k[8]);
  s = _mm_aesdec_si128(s, dk.k[9]);
  s = _mm_aesdec_si128(s, dk.k[10]);
  sha_job_group<G + 2>(st, j);
  s = _mm_aesdec_si128(s, dk.k[11]);
  s = _mm_aesdec_si128(s, dk.k[12]);
  s = _mm_aesdec_si128(s, dk.k[13]);
  sha_job_group<G + 3>(st, j);
  const __m128i p = _mm_aesdeclast_si128(s, _mm_xor_si128(dk.k[14], c_prev));
  c_prev = c;
  p_prev = p;
  return p;
}

}  // namespace

MTPROTO_AES_TARGET void aesni_expand_key(const std::uint8_t* key32, std::uint8_t* enc_schedule,
                                         std::uint8_t* dec_schedule) noexcept {
  __m128i k[15];
  k[0] = load(key32);
  k[1] = load(key32 + 16);
  expand_pair<0x01>(k, 2);
  expand_pair<0x02>(k, 4);
  expand_pair<0x04>(k, 6);
  expand_pair<0x08>(k, 8);
  expand_pair<0x10>(k, 10);
  expand_pair<0x20>(k, 12);
  expand_pair<0x40>(k, 14);
  for (int i = 0; i < 15; ++i) store(enc_schedule + 16 * i, k[i]);
  // Equivalent inverse cipher: reversed order, InvMixColumns on the inner round keys.
  store(dec_schedule, k[14]);
  for (int i = 1; i < 14; ++i) store(dec_schedule + 16 * i, _mm_aesimc_si128(k[14 - i]));
  store(dec_schedule + 16 * 14, k[0]);
  volatile unsigned char* wipe = reinterpret_cast<volatile unsigned char*>(k);
  for (std::size_t i = 0; i < sizeof k; ++i) wipe[i] = 0;
}

MTPROTO_AES_TARGET void aesni_ige_encrypt(const std::uint8_t* enc_schedule, const std::uint8_t* iv32,
                                          const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) noexcept {
  const aes_keys ek = load_keys(enc_schedule);
  __m128i c_prev = load(iv32);
  __m128i p_prev = load(iv32 + 16);
  for (std::size_t i = 0; i < blocks; ++i) {
    const __m128i p = load(in + 16 * i);  // read before the store: in place is allowed
    __m128i s = _mm_xor_si128(c_prev, _mm_xor_si128(p, ek.k[0]));
#pragma GCC unroll 13
    for (int r = 1; r < 14; ++r) s = _mm_aesenc_si128(s, ek.k[r]);
    c_prev = _mm_aesenclast_si128(s, _mm_xor_si128(ek.k[14], p_prev));
    p_prev = p;
    store(out + 16 * i, c_prev);
  }
}

MTPROTO_AES_TARGET void aesni_ige_decrypt(const std::uint8_t* dec_schedule, const std::uint8_t* iv32,
                                          const std::uint8_t* in, std::uint8_t* out, std::size_t blocks) noexcept {
  const aes_keys dk = load_keys(dec_schedule);
  __m128i c_prev = load(iv32);
  __m128i p_prev = load(iv32 + 16);
  for (std::size_t i = 0; i < blocks; ++i) {
    store(out + 16 * i, ige_decrypt_block(dk, load(in + 16 * i), c_prev, p_prev));
  }
}

MTPROTO_SHA_TARGET void shani_sha256_blocks(std::uint32_t* state8, const std::uint8_t* data,
                                            std::size_t blocks) noexcept {
  sha_state st = sha_load_state(state8);
  for (std::size_t i = 0; i < blocks; ++i, data += 64) {
    sha_compress(st, load(data), load(data + 16), load(data + 32), load(data + 48));
  }
  sha_store_state(st, state8);
}

// The hashed stream is prefix (2 AES blocks) followed by the plaintext, so SHA block j covers
// plaintext blocks 4j-2 .. 4j+1. Each loop iteration decrypts four blocks while it compresses
// the SHA block the previous four completed, its 16 round groups placed four per AES block
// (ige_decrypt_block_sha): left to the out-of-order core, a whole compression after four AES
// blocks overlapped only partly (0.72x the serial AES rate on one host).
MTPROTO_AES_SHA_TARGET void aesni_shani_ige_decrypt_sha256(const std::uint8_t* dec_schedule, const std::uint8_t* iv32,
                                                           const std::uint8_t* prefix32, const std::uint8_t* in,
                                                           std::uint8_t* out, std::size_t blocks,
                                                           std::uint8_t* digest32) noexcept {
  const aes_keys dk = load_keys(dec_schedule);
  __m128i c_prev = load(iv32);
  __m128i p_prev = load(iv32 + 16);
  std::uint32_t init[8];
  std::memcpy(init, sha256_initial_state, sizeof init);
  sha_state st = sha_load_state(init);

  std::size_t i = 0;
  __m128i carry0 = load(prefix32);  // the two 16-byte pieces waiting for the next SHA block
  __m128i carry1 = load(prefix32 + 16);
  if (blocks >= 2) {
    const __m128i p0 = ige_decrypt_block(dk, load(in), c_prev, p_prev);
    store(out, p0);
    const __m128i p1 = ige_decrypt_block(dk, load(in + 16), c_prev, p_prev);
    store(out + 16, p1);
    // Software pipeline: while four blocks decrypt, the SHA block of the four before them is
    // compressed, four round groups inside each AES block.
    sha_job job;
    sha_job_start(job, st, carry0, carry1, p0, p1);
    i = 2;
    while (blocks - i >= 4) {
      const __m128i a = ige_decrypt_block_sha<0>(dk, load(in + 16 * i), c_prev, p_prev, st, job);
      store(out + 16 * i, a);
      const __m128i b = ige_decrypt_block_sha<4>(dk, load(in + 16 * i + 16), c_prev, p_prev, st, job);
      store(out + 16 * i + 16, b);
      const __m128i c = ige_decrypt_block_sha<8>(dk, load(in + 16 * i + 32), c_prev, p_prev, st, job);
      store(out + 16 * i + 32, c);
      const __m128i d = ige_decrypt_block_sha<12>(dk, load(in + 16 * i + 48), c_prev, p_prev, st, job);
      store(out + 16 * i + 48, d);
      sha_job_finish(st, job);
      sha_job_start(job, st, a, b, c, d);
      i += 4;
    }
    sha_job_groups(st, job, std::make_integer_sequence<int, 16>{});
    sha_job_finish(st, job);
  }
  // Tail: at most 3 plaintext blocks (or the prefix alone) plus SHA padding, at most 2 SHA blocks.
  alignas(16) std::uint8_t tail[128] = {};
  std::size_t used = 0;
  if (i == 0) {
    store(tail, carry0);
    store(tail + 16, carry1);
    used = 32;
  }
  for (; i < blocks; ++i, used += 16) {
    const __m128i p = ige_decrypt_block(dk, load(in + 16 * i), c_prev, p_prev);
    store(out + 16 * i, p);
    store(tail + used, p);
  }
  const std::uint64_t bit_length = (static_cast<std::uint64_t>(blocks) * 16 + 32) * 8;
  tail[used] = 0x80;
  const std::size_t tail_blocks = used + 1 + 8 <= 64 ? 1 : 2;
  for (int b = 0; b < 8; ++b) tail[tail_blocks * 64 - 1 - b] = static_cast<std::uint8_t>(bit_length >> (8 * b));
  for (std::size_t b = 0; b < tail_blocks; ++b) {
    sha_compress(st, load(tail + 64 * b), load(tail + 64 * b + 16), load(tail + 64 * b + 32), load(tail + 64 * b + 48));
  }
  std::uint32_t words[8];
  sha_store_state(st, words);
  for (int w = 0; w < 8; ++w) {
    for (int b = 0; b < 4; ++b) digest32[4 * w + b] = static_cast<std::uint8_t>(words[w] >> (24 - 8 * b));
  }
}

namespace {

template <std::size_t N>
MTPROTO_INLINE_AES void decrypt_lanes(const ige_stream* const* lanes, __m128i* c_prev, __m128i* p_prev,
                                      std::size_t offset, std::size_t blocks) {
  for (std::size_t i = offset; i < offset + blocks; ++i) {
    __m128i s[N];
    __m128i c[N];
#pragma GCC unroll 4
    for (std::size_t l = 0; l < N; ++l) {
      c[l] = load(lanes[l]->in + 16 * i);
      s[l] = _mm_xor_si128(p_prev[l], _mm_xor_si128(c[l], load(lanes[l]->schedule)));
    }
#pragma GCC unroll 13
    for (int r = 1; r < 14; ++r) {
#pragma GCC unroll 4
      for (std::size_t l = 0; l < N; ++l) s[l] = _mm_aesdec_si128(s[l], load(lanes[l]->schedule + 16 * r));
    }
#pragma GCC unroll 4
    for (std::size_t l = 0; l < N; ++l) {
      p_prev[l] = _mm_aesdeclast_si128(s[l], _mm_xor_si128(load(lanes[l]->schedule + 16 * 14), c_prev[l]));
      c_prev[l] = c[l];
      store(lanes[l]->out + 16 * i, p_prev[l]);
    }
  }
}

// The encrypt chain per lane: s = p ^ c_prev ^ k0, 13 rounds, then aesenclast with k14 ^ p_prev.
template <std::size_t N>
MTPROTO_INLINE_AES void encrypt_lanes(const ige_stream* const* lanes, __m128i* c_prev, __m128i* p_prev,
                                      std::size_t offset, std::size_t blocks) {
  for (std::size_t i = offset; i < offset + blocks; ++i) {
    __m128i s[N];
    __m128i p[N];
#pragma GCC unroll 4
    for (std::size_t l = 0; l < N; ++l) {
      p[l] = load(lanes[l]->in + 16 * i);  // read before the store: in place is allowed
      s[l] = _mm_xor_si128(c_prev[l], _mm_xor_si128(p[l], load(lanes[l]->schedule)));
    }
#pragma GCC unroll 13
    for (int r = 1; r < 14; ++r) {
#pragma GCC unroll 4
      for (std::size_t l = 0; l < N; ++l) s[l] = _mm_aesenc_si128(s[l], load(lanes[l]->schedule + 16 * r));
    }
#pragma GCC unroll 4
    for (std::size_t l = 0; l < N; ++l) {
      c_prev[l] = _mm_aesenclast_si128(s[l], _mm_xor_si128(load(lanes[l]->schedule + 16 * 14), p_prev[l]));
      p_prev[l] = p[l];
      store(lanes[l]->out + 16 * i, c_prev[l]);
    }
  }
}

/// The 16-byte piece `k` of the hashed stream prefix32 || data.
MTPROTO_INLINE_SHA __m128i sha_piece(const sha256_stream& s, std::size_t k) {
  return k < 2 ? load(s.prefix32 + 16 * k) : load(s.data + 16 * (k - 2));
}

/// Round group G of N independent compressions, one after the other.
template <std::size_t N, int G>
MTPROTO_INLINE_SHA void sha_group_lanes(sha_state* st, sha_job* j) {
#pragma GCC unroll 4
  for (std::size_t l = 0; l < N; ++l) sha_job_group<G>(st[l], j[l]);
}

template <std::size_t N, int... G>
MTPROTO_INLINE_SHA void sha_groups_lanes(sha_state* st, sha_job* j, std::integer_sequence<int, G...>) {
  (sha_group_lanes<N, G>(st, j), ...);
}

/// sha_compress for N independent blocks, interleaved round group by round group: each lane's
/// rounds depend only on its own previous ones, so N chains keep the SHA unit busy.
template <std::size_t N>
MTPROTO_INLINE_SHA void sha_compress_lanes(sha_state* st, const std::uint8_t* const* blocks) {
  sha_job j[N];
#pragma GCC unroll 4
  for (std::size_t l = 0; l < N; ++l)
    sha_job_start(j[l], st[l], load(blocks[l]), load(blocks[l] + 16), load(blocks[l] + 32), load(blocks[l] + 48));
  sha_groups_lanes<N>(st, j, std::make_integer_sequence<int, 16>{});
#pragma GCC unroll 4
  for (std::size_t l = 0; l < N; ++l) sha_job_finish(st[l], j[l]);
}

template <std::size_t N>
MTPROTO_INLINE_SHA void sha_lanes(const sha256_stream* const* lanes, sha_state* st, std::size_t first,
                                  std::size_t blocks) {
  alignas(16) std::uint8_t first_block[N][64];
  for (std::size_t j = first; j < first + blocks; ++j) {
    const std::uint8_t* in[N];
#pragma GCC unroll 4
    for (std::size_t l = 0; l < N; ++l) {
      const sha256_stream& s = *lanes[l];
      if (j == 0) {  // the prefix and the first 32 bytes of data
        std::memcpy(first_block[l], s.prefix32, 32);
        std::memcpy(first_block[l] + 32, s.data, 32);
        in[l] = first_block[l];
      } else {
        in[l] = s.data + 64 * j - 32;
      }
    }
    sha_compress_lanes<N>(st, in);
  }
}

/// Pads and compresses what is left after `full` whole SHA blocks, and writes the digest.
MTPROTO_INLINE_SHA void sha_finish(const sha256_stream& s, sha_state& st, std::size_t full) {
  const std::size_t pieces = s.blocks16 + 2;
  alignas(16) std::uint8_t tail[128] = {};
  std::size_t used = 0;
  for (std::size_t k = 4 * full; k < pieces; ++k, used += 16) store(tail + used, sha_piece(s, k));
  const std::uint64_t bit_length = static_cast<std::uint64_t>(pieces) * 16 * 8;
  tail[used] = 0x80;
  const std::size_t tail_blocks = used + 1 + 8 <= 64 ? 1 : 2;
  for (int b = 0; b < 8; ++b) tail[tail_blocks * 64 - 1 - b] = static_cast<std::uint8_t>(bit_length >> (8 * b));
  for (std::size_t b = 0; b < tail_blocks; ++b)
    sha_compress(st, load(tail + 64 * b), load(tail + 64 * b + 16), load(tail + 64 * b + 32), load(tail + 64 * b + 48));
  std::uint32_t words[8];
  sha_store_state(st, words);
  for (int w = 0; w < 8; ++w)
    for (int b = 0; b < 4; ++b) s.digest32[4 * w + b] = static_cast<std::uint8_t>(words[w] >> (24 - 8 * b));
}

/// Orders up to Max lanes longest first, so the lanes that finish early drop off the end.
template <std::size_t Max = 4, class Stream>
std::size_t longest_first(const Stream* streams, std::size_t count, const Stream** lanes) {
  count = std::min<std::size_t>(count, Max);
  for (std::size_t l = 0; l < count; ++l) lanes[l] = &streams[l];
  for (std::size_t i = 1; i < count; ++i)  // at most 8 lanes: insertion sort
    for (std::size_t j = i; j > 0 && lanes[j - 1]->blocks < lanes[j]->blocks; --j) std::swap(lanes[j - 1], lanes[j]);
  return count;
}

template <bool Encrypt, std::size_t N>
MTPROTO_INLINE_AES void ige_lanes(const ige_stream* const* lanes, __m128i* c_prev, __m128i* p_prev, std::size_t offset,
                                  std::size_t blocks) {
  if constexpr (Encrypt) encrypt_lanes<N>(lanes, c_prev, p_prev, offset, blocks);
  else decrypt_lanes<N>(lanes, c_prev, p_prev, offset, blocks);
}

/// Up to four IGE chains, longest first; each time the shortest live lane ends, one fewer runs on.
template <bool Encrypt>
MTPROTO_INLINE_AES void run_ige_lanes(const ige_stream* streams, std::size_t count) {
  const ige_stream* lanes[4];
  count = longest_first(streams, count, lanes);
  __m128i c_prev[4];
  __m128i p_prev[4];
  for (std::size_t l = 0; l < count; ++l) {
    c_prev[l] = load(lanes[l]->iv32);
    p_prev[l] = load(lanes[l]->iv32 + 16);
  }
  std::size_t done = 0;
  for (; count > 0; --count) {
    const std::size_t run = lanes[count - 1]->blocks - done;
    switch (count) {
      case 4: ige_lanes<Encrypt, 4>(lanes, c_prev, p_prev, done, run); break;
      case 3: ige_lanes<Encrypt, 3>(lanes, c_prev, p_prev, done, run); break;
      case 2: ige_lanes<Encrypt, 2>(lanes, c_prev, p_prev, done, run); break;
      default: ige_lanes<Encrypt, 1>(lanes, c_prev, p_prev, done, run); break;
    }
    done += run;
  }
}

/// Eight IGE chains as four pairs, each pair one ymm register (lane 2p low, 2p+1 high).
struct vaes_pairs {
  alignas(32) __m256i keys[4][15];  // the two lanes' round keys side by side
  const std::uint8_t* in[8];
  std::uint8_t* out[8];
  std::size_t step[8];  // 16 for a real lane, 0 for the stand-in beside an odd last lane
  __m256i c_prev[4];
  __m256i p_prev[4];
};

/// Sets the low (first of a pair) or high half of `pair`.
MTPROTO_INLINE_VAES void put_half(__m256i& pair, __m128i half, bool low) {
  pair = low ? _mm256_castsi128_si256(half) : _mm256_inserti128_si256(pair, half, 1);
}

MTPROTO_INLINE_VAES __m256i load_pair(const std::uint8_t* lo, const std::uint8_t* hi) {
  return _mm256_inserti128_si256(_mm256_castsi128_si256(load(lo)), load(hi), 1);
}

/// `blocks` blocks of P pairs, their AES rounds interleaved. Decrypt: p = D(c ^ p_prev) ^ c_prev;
/// encrypt: c = E(p ^ c_prev) ^ p_prev (the outer XORs folded into the first and last round keys).
template <bool Encrypt, std::size_t P>
MTPROTO_INLINE_VAES void vaes_pairs_run(vaes_pairs& v, std::size_t blocks) {
  for (std::size_t i = 0; i < blocks; ++i) {
    __m256i s[P];
    __m256i x[P];  // this block's input: ciphertext to decrypt or plaintext to encrypt
#pragma GCC unroll 4
    for (std::size_t p = 0; p < P; ++p) {
      x[p] = load_pair(v.in[2 * p], v.in[2 * p + 1]);  // read before the store: in place is allowed
      s[p] = _mm256_xor_si256(Encrypt ? v.c_prev[p] : v.p_prev[p], _mm256_xor_si256(x[p], v.keys[p][0]));
    }
#pragma GCC unroll 13
    for (int r = 1; r < 14; ++r) {
#pragma GCC unroll 4
      for (std::size_t p = 0; p < P; ++p)
        s[p] = Encrypt ? _mm256_aesenc_epi128(s[p], v.keys[p][r]) : _mm256_aesdec_epi128(s[p], v.keys[p][r]);
    }
#pragma GCC unroll 4
    for (std::size_t p = 0; p < P; ++p) {
      __m256i y;
      if constexpr (Encrypt) {
        y = _mm256_aesenclast_epi128(s[p], _mm256_xor_si256(v.keys[p][14], v.p_prev[p]));
        v.c_prev[p] = y;
        v.p_prev[p] = x[p];
      } else {
        y = _mm256_aesdeclast_epi128(s[p], _mm256_xor_si256(v.keys[p][14], v.c_prev[p]));
        v.p_prev[p] = y;
        v.c_prev[p] = x[p];
      }
      store(v.out[2 * p], _mm256_castsi256_si128(y));
      store(v.out[2 * p + 1], _mm256_extracti128_si256(y, 1));
    }
#pragma GCC unroll 8
    for (std::size_t l = 0; l < 2 * P; ++l) {
      v.in[l] += v.step[l];
      v.out[l] += v.step[l];
    }
  }
}

/// Up to eight chains, longest first, paired into ymm registers; each time the shortest live lane
/// ends, it becomes a stand-in (reading zeros, writing scratch) until its pair's other lane ends.
template <bool Encrypt>
MTPROTO_INLINE_VAES void vaes_run_lanes(const ige_stream* streams, std::size_t count) {
  const ige_stream* lanes[8];
  count = longest_first<8>(streams, count, lanes);
  if (count == 0) return;
  alignas(16) static const std::uint8_t idle_in[32] = {};
  alignas(16) std::uint8_t idle_out[16];
  vaes_pairs v;
  for (std::size_t l = 0; l < 8; ++l) {
    const ige_stream& s = *lanes[l < count ? l : count - 1];  // a stand-in lane borrows a real key
    const bool real = l < count;
    v.in[l] = real ? s.in : idle_in;
    v.out[l] = real ? s.out : idle_out;
    v.step[l] = real ? 16 : 0;
    const std::uint8_t* iv = real ? s.iv32 : idle_in;
    const std::size_t p = l / 2;
    const bool low = l % 2 == 0;
    for (int r = 0; r < 15; ++r) put_half(v.keys[p][r], load(s.schedule + 16 * r), low);
    put_half(v.c_prev[p], load(iv), low);
    put_half(v.p_prev[p], load(iv + 16), low);
  }
  std::size_t done = 0;
  for (std::size_t live = count; live > 0; --live) {
    const std::size_t run = lanes[live - 1]->blocks - done;
    switch ((live + 1) / 2) {
      case 4: vaes_pairs_run<Encrypt, 4>(v, run); break;
      case 3: vaes_pairs_run<Encrypt, 3>(v, run); break;
      case 2: vaes_pairs_run<Encrypt, 2>(v, run); break;
      default: vaes_pairs_run<Encrypt, 1>(v, run); break;
    }
    done += run;
    v.in[live - 1] = idle_in;
    v.out[live - 1] = idle_out;
    v.step[live - 1] = 0;
  }
}

}  // namespace

MTPROTO_VAES_TARGET void vaes_ige_decrypt_x8(const ige_stream* streams, std::size_t count) noexcept {
  vaes_run_lanes<false>(streams, count);
}

MTPROTO_VAES_TARGET void vaes_ige_encrypt_x8(const ige_stream* streams, std::size_t count) noexcept {
  vaes_run_lanes<true>(streams, count);
}

MTPROTO_AES_TARGET void aesni_ige_decrypt_x4(const ige_stream* streams, std::size_t count) noexcept {
  run_ige_lanes<false>(streams, count);
}

MTPROTO_AES_TARGET void aesni_ige_encrypt_x4(const ige_stream* streams, std::size_t count) noexcept {
  run_ige_lanes<true>(streams, count);
}

MTPROTO_SHA_TARGET void shani_sha256_prefixed_x4(const sha256_stream* streams, std::size_t count) noexcept {
  const sha256_stream* lanes[4];
  count = std::min<std::size_t>(count, 4);
  for (std::size_t l = 0; l < count; ++l) lanes[l] = &streams[l];
  // Longest first (whole SHA blocks), so the lanes that finish early drop off the end.
  auto full_blocks = [](const sha256_stream* s) { return (s->blocks16 + 2) / 4; };
  for (std::size_t i = 1; i < count; ++i)
    for (std::size_t j = i; j > 0 && full_blocks(lanes[j - 1]) < full_blocks(lanes[j]); --j) std::swap(lanes[j - 1], lanes[j]);
  std::uint32_t init[8];
  std::memcpy(init, sha256_initial_state, sizeof init);
  sha_state st[4];  // st[l] belongs to lanes[l]
  for (std::size_t l = 0; l < count; ++l) st[l] = sha_load_state(init);
  std::size_t done = 0;
  for (std::size_t live = count; live > 0;) {
    const std::size_t run = full_blocks(lanes[live - 1]) - done;
    switch (live) {
      case 4: sha_lanes<4>(lanes, st, done, run); break;
      case 3: sha_lanes<3>(lanes, st, done, run); break;
      case 2: sha_lanes<2>(lanes, st, done, run); break;
      default: sha_lanes<1>(lanes, st, done, run); break;
    }
    done += run;
    --live;
    sha_finish(*lanes[live], st[live], done);
  }
}

}  // namespace mtproto::crypto::detail

#endif
