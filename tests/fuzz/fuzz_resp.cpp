// Harness: RESP replies as a Redis server (or whatever answers on its port) sends them to
// the redis.* natives. The input is read reply after reply, as the natives read a
// pipelined exchange; each reply must be whole, cut short (need more) or malformed —
// never a crash, a hang, an exception or a read past the buffer. A whole reply's value
// must survive the conversions every runbook value goes through (display, JSON).
// Seeds: tests/fuzz/corpus/resp/.
#include <cstddef>
#include <cstdint>
#include <string>

#include "stdlib/resp.hpp"
#include "vm/value_json.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string buf(reinterpret_cast<const char*>(data), size);
  size_t pos = 0;
  for (int replies = 0; replies < 64 && pos < buf.size(); ++replies) {
    size_t before = pos;
    rbk::resp::Reply r = rbk::resp::parse_reply(buf, pos);
    if (r.kind == rbk::resp::Reply::Kind::NeedMore || r.kind == rbk::resp::Reply::Kind::Malformed)
      break;
    if (pos <= before || pos > buf.size()) __builtin_trap();  // a whole reply moves on
    if (r.kind == rbk::resp::Reply::Kind::Value) {
      (void)rbk::to_display(r.value);
      (void)rbk::to_plain_json(r.value).dump(-1, ' ', false,
                                             nlohmann::json::error_handler_t::replace);
    }
  }
  return 0;
}
