// Fuzzes the generated readers: any boxed object of the API and MTProto schemas, by id or by
// expected type. The first bytes pick what to read, so even a non-guided (standalone) driver gets
// past the constructor-id check into the fields. Anything read must re-encode to bytes that read
// back and re-encode to the same bytes; anything rejected must be a tl::decode_error.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "mtproto/api/registry.h"
#include "mtproto/mt/registry.h"
#include "mtproto/tl/schema_info.h"

namespace tl = mtproto::tl;

namespace {

enum class mode : std::uint8_t { any_object, chosen_constructor, chosen_type, chosen_function };

// Re-encoding is idempotent: encode(decode(encode(x))) == encode(x). (Objects are compared by
// their bytes, not with ==, because a double read from the input may be NaN.)
std::vector<std::uint8_t> encode(const tl::object& o) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  o.write(w);
  return out;
}

void check_round_trip(const tl::object& o, bool is_function, const tl::schema_info& schema) {
  const auto first = encode(o);
  tl::reader r(first);
  const tl::object back = is_function ? tl::read_function_call(schema, r) : tl::read_object(schema, r);
  if (!r.at_end() || encode(back) != first) std::abort();
  (void)tl::to_text(back);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  const auto& schema = (data[0] & 0x80) ? mtproto::mt::schema() : mtproto::api::schema();
  const auto m = static_cast<mode>(data[0] & 0x03);
  const std::size_t pick = data[1] | (std::size_t{data[2]} << 8);
  std::vector<std::uint8_t> input(data + 3, data + size);
  bool is_function = false;
  try {
    switch (m) {
      case mode::any_object: {
        tl::reader r(input);
        check_round_trip(tl::read_object(schema, r), false, schema);
        break;
      }
      case mode::chosen_constructor:
      case mode::chosen_function: {
        is_function = m == mode::chosen_function;
        const auto table = is_function ? schema.functions : schema.constructors;
        if (table.empty()) return 0;
        const std::uint32_t id = table[pick % table.size()]->id;
        const std::uint8_t id_bytes[4] = {static_cast<std::uint8_t>(id), static_cast<std::uint8_t>(id >> 8),
                                          static_cast<std::uint8_t>(id >> 16), static_cast<std::uint8_t>(id >> 24)};
        input.insert(input.begin(), id_bytes, id_bytes + 4);
        tl::reader r(input);
        check_round_trip(is_function ? tl::read_function_call(schema, r) : tl::read_object(schema, r), is_function,
                         schema);
        break;
      }
      case mode::chosen_type: {
        if (schema.types.empty()) return 0;
        tl::reader r(input);
        const tl::object o = schema.types[pick % schema.types.size()]->read(r);
        check_round_trip(o, false, schema);
        break;
      }
    }
  } catch (const tl::decode_error&) {
    // rejected input: the expected outcome for most of it
  }
  return 0;
}
