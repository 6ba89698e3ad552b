// RESP, the Redis serialization protocol (version 2), as the redis.* natives speak it:
// commands written as arrays of bulk strings, replies read into runbook values. A reply
// comes from the network, so the reader bounds what it accepts (nesting, counts, lengths)
// and reports a reply cut short as "need more" rather than reading past the buffer
// (tests/fuzz/fuzz_resp.cpp).
#pragma once

#include <string>
#include <vector>

#include "vm/value.hpp"

namespace rbk::resp {

// ARGV as a RESP array of bulk strings.
std::string encode_command(const std::vector<std::string>& argv);

struct Reply {
  enum class Kind { NeedMore, Malformed, Value, Error } kind = Kind::NeedMore;
  Value value;        // Kind::Value: a string, an int, null or a list
  std::string error;  // Kind::Error: the server's error line ("WRONGTYPE …")
};

// The reply that starts at BUF[POS]; POS moves past it when it is whole (Value, Error).
// An error inside an array becomes the string "ERR …" in its place.
Reply parse_reply(const std::string& buf, size_t& pos);

}  // namespace rbk::resp
