// Request signing the clouds use, as pure functions (no clock, no network): AWS Signature
// Version 4 and Azure shared access signatures, over OpenSSL's HMAC-SHA256. The credentials
// (credentials.hpp) give them keys and the time; the AWS suite's vectors test them
// (tests/signing_test.cpp).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace rbk {

std::string hmac_sha256(const std::string& key, const std::string& data);  // raw bytes
std::string sha256_hex(const std::string& data);
std::string hex_lower(const std::string& bytes);
std::string base64_encode(const std::string& bytes);
// Standard base64 (padding optional); false on a character outside the alphabet.
bool base64_decode(const std::string& text, std::string& out);
// RFC 3986 percent-encoding: everything but A-Z a-z 0-9 - . _ ~ (and '/' when KEEP_SLASH),
// upper-case hex.
std::string uri_encode(const std::string& text, bool keep_slash = false);

// One request as SigV4 signs it: the path and query as sent, the headers (repeated names
// allowed, in order), the body.
struct SigV4Request {
  std::string method;
  std::string path;   // "/things/sensor-1" (percent-encoded as on the wire, or raw UTF-8)
  std::string query;  // "a=1&b=2" (without '?')
  std::vector<std::pair<std::string, std::string>> headers;  // must include host, x-amz-date
  std::string body;
};

struct SigV4Key {
  std::string access_key_id, secret_access_key;
  std::string region, service;
};

struct SigV4Signature {
  std::string canonical_request, string_to_sign, signed_headers, signature;
  std::string authorization;  // the Authorization header's value
};

// AMZ_DATE is the request's x-amz-date ("20150830T123600Z"). Services other than s3
// normalize the path (dot segments, repeated slashes) and encode it again; s3 signs it as
// sent.
SigV4Signature sigv4_sign(const SigV4Request& request, const SigV4Key& key,
                          const std::string& amz_date);
// "20150830T123600Z" for milliseconds since the epoch.
std::string amz_date(int64_t ms);

// An Azure shared access signature (IoT Hub, Event Hubs, Service Bus) for RESOURCE
// ("myhub.azure-devices.net/devices/sensor-1"), valid until EXPIRY (seconds since the
// epoch): SharedAccessSignature sr=…&sig=…&se=…&skn=…. KEY is the key's bytes (IoT Hub's
// keys are base64: decode them first; Event Hubs and Service Bus sign with the text).
std::string azure_sas_token(const std::string& resource, const std::string& key_name,
                            const std::string& key, int64_t expiry);

}  // namespace rbk
