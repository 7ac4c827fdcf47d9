// Runs a libFuzzer-style target without libFuzzer (for compilers that lack it): corpus files given
// on the command line first, then seeded random inputs, half of them mutations of earlier inputs.
// Accepts `-runs=N` and `-seed=S` like libFuzzer; other dash options are ignored.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

constexpr std::size_t max_input_size = 4096;

std::vector<std::uint8_t> random_input(std::mt19937_64& rng) {
  std::vector<std::uint8_t> v(rng() % max_input_size);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

void mutate(std::vector<std::uint8_t>& v, std::mt19937_64& rng) {
  const int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    switch (rng() % 4) {
      case 0:
        if (!v.empty()) v[rng() % v.size()] = static_cast<std::uint8_t>(rng());
        break;
      case 1:
        if (!v.empty()) v.resize(rng() % v.size());
        break;
      case 2:
        if (v.size() < max_input_size) v.insert(v.begin() + static_cast<long>(v.empty() ? 0 : rng() % v.size()), static_cast<std::uint8_t>(rng()));
        break;
      default:
        // Little-endian int with an interesting value: lengths and counts are where decoders break.
        if (v.size() >= 4) {
          static constexpr std::uint32_t interesting[] = {0, 1, 0xfe, 0xff, 0x7fffffff, 0xffffffff, 0x1cb5c415, 1u << 24};
          std::uint32_t x = interesting[rng() % std::size(interesting)];
          std::memcpy(v.data() + rng() % (v.size() - 3), &x, 4);
        }
        break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  long runs = 10000;
  std::uint64_t seed = 1;
  std::vector<std::vector<std::uint8_t>> pool;
  for (int i = 1; i < argc; ++i) {
    if (std::strncmp(argv[i], "-runs=", 6) == 0) {
      runs = std::atol(argv[i] + 6);
    } else if (std::strncmp(argv[i], "-seed=", 6) == 0) {
      seed = std::strtoull(argv[i] + 6, nullptr, 10);
    } else if (argv[i][0] != '-') {
      std::ifstream f(argv[i], std::ios::binary);
      pool.emplace_back(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
    }
  }
  for (const auto& input : pool) LLVMFuzzerTestOneInput(input.data(), input.size());
  std::mt19937_64 rng(seed);
  for (long i = 0; i < runs; ++i) {
    std::vector<std::uint8_t> input;
    if (!pool.empty() && rng() % 2) {
      input = pool[rng() % pool.size()];
      mutate(input, rng);
    } else {
      input = random_input(rng);
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
    if (pool.size() < 256 && rng() % 16 == 0) pool.push_back(std::move(input));
  }
  std::printf("standalone fuzz driver: %ld inputs, no crash\n", runs);
  return 0;
}
