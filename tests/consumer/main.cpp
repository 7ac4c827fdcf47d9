// Uses the installed library: encodes and decodes a TL value and checks the bytes.
#include <cstdio>
#include <vector>

#include <mtproto/tl/reader.h>
#include <mtproto/tl/writer.h>

int main() {
  std::vector<std::uint8_t> buf;
  mtproto::tl::writer w(buf);
  w.write_string("consumer");
  w.write_long(42);
  mtproto::tl::reader r(buf);
  if (r.read_string() != "consumer" || r.read_long() != 42 || !r.at_end()) {
    std::puts("consumer: round trip failed");
    return 1;
  }
  std::printf("consumer: ok (%zu bytes)\n", buf.size());
  return 0;
}
