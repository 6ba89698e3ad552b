#include "stdlib/signing.hpp"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <map>

namespace rbk {

std::string hmac_sha256(const std::string& key, const std::string& data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), out, &len);
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string hex_lower(const std::string& bytes) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    s += digits[c >> 4];
    s += digits[c & 15];
  }
  return s;
}

std::string sha256_hex(const std::string& data) {
  unsigned char out[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), out);
  return hex_lower(std::string(reinterpret_cast<const char*>(out), sizeof out));
}

std::string base64_encode(const std::string& bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

bool base64_decode(const std::string& text, std::string& out) {
  static const std::string alphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  out.clear();
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (char c : text) {
    if (c == '=') {
      ++pad;
      continue;
    }
    if (pad) return false;  // data after padding
    size_t v = alphabet.find(c);
    if (v == std::string::npos) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return pad <= 2;
}

std::string uri_encode(const std::string& text, bool keep_slash) {
  static const char* digits = "0123456789ABCDEF";
  std::string s;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' ||
        (keep_slash && c == '/')) {
      s += static_cast<char>(c);
    } else {
      s += '%';
      s += digits[c >> 4];
      s += digits[c & 15];
    }
  }
  return s;
}

namespace {

std::string percent_decode(const std::string& text) {
  std::string s;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() &&
        std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      s += static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      s += text[i];
    }
  }
  return s;
}

// The path without empty, "." and ".." segments, keeping a trailing slash.
std::string normalized_path(const std::string& path) {
  std::vector<std::string> kept;
  size_t at = 0;
  while (at <= path.size()) {
    size_t slash = path.find('/', at);
    std::string seg = path.substr(at, slash == std::string::npos ? std::string::npos : slash - at);
    if (seg == "..") {
      if (!kept.empty()) kept.pop_back();
    } else if (!seg.empty() && seg != ".") {
      kept.push_back(seg);
    }
    if (slash == std::string::npos) break;
    at = slash + 1;
  }
  std::string out;
  for (const auto& seg : kept) out += "/" + seg;
  bool trailing = path.size() > 1 && path.back() == '/' && !kept.empty();
  if (out.empty() || trailing) out += "/";
  return out;
}

std::string canonical_uri(const std::string& path, const std::string& service) {
  if (service == "s3") return uri_encode(percent_decode(path.empty() ? "/" : path), true);
  std::string normal = normalized_path(path);
  std::string out;
  size_t at = 0;
  while (at < normal.size()) {  // each segment encoded again (a '%' becomes %25)
    size_t slash = normal.find('/', at);
    if (slash == at) {
      out += '/';
      ++at;
      continue;
    }
    out += uri_encode(normal.substr(at, slash - at));
    at = slash == std::string::npos ? normal.size() : slash;
  }
  return out;
}

std::string canonical_query(const std::string& query) {
  std::vector<std::pair<std::string, std::string>> params;
  size_t at = 0;
  while (at < query.size()) {
    size_t amp = query.find('&', at);
    std::string item = query.substr(at, amp == std::string::npos ? std::string::npos : amp - at);
    if (!item.empty()) {
      size_t eq = item.find('=');
      std::string k = eq == std::string::npos ? item : item.substr(0, eq);
      std::string v = eq == std::string::npos ? "" : item.substr(eq + 1);
      params.emplace_back(uri_encode(percent_decode(k)), uri_encode(percent_decode(v)));
    }
    if (amp == std::string::npos) break;
    at = amp + 1;
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) out += (out.empty() ? "" : "&") + k + "=" + v;
  return out;
}

// A header value trimmed, with each run of spaces and tabs made one space.
std::string header_value(const std::string& v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

}  // namespace

SigV4Signature sigv4_sign(const SigV4Request& r, const SigV4Key& key, const std::string& date) {
  std::map<std::string, std::string> headers;  // lower-case name -> values joined by ','
  for (const auto& [name, value] : r.headers) {
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    auto [it, fresh] = headers.try_emplace(lower, header_value(value));
    if (!fresh) it->second += "," + header_value(value);
  }
  SigV4Signature s;
  std::string canonical_headers;
  for (const auto& [name, value] : headers) {
    canonical_headers += name + ":" + value + "\n";
    s.signed_headers += (s.signed_headers.empty() ? "" : ";") + name;
  }
  s.canonical_request = r.method + "\n" + canonical_uri(r.path, key.service) + "\n" +
                        canonical_query(r.query) + "\n" + canonical_headers + "\n" +
                        s.signed_headers + "\n" + sha256_hex(r.body);
  const std::string day = date.substr(0, 8);
  const std::string scope = day + "/" + key.region + "/" + key.service + "/aws4_request";
  s.string_to_sign =
      "AWS4-HMAC-SHA256\n" + date + "\n" + scope + "\n" + sha256_hex(s.canonical_request);
  std::string k = hmac_sha256("AWS4" + key.secret_access_key, day);
  k = hmac_sha256(k, key.region);
  k = hmac_sha256(k, key.service);
  k = hmac_sha256(k, "aws4_request");
  s.signature = hex_lower(hmac_sha256(k, s.string_to_sign));
  s.authorization = "AWS4-HMAC-SHA256 Credential=" + key.access_key_id + "/" + scope +
                    ", SignedHeaders=" + s.signed_headers + ", Signature=" + s.signature;
  return s;
}

std::string amz_date(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[20];
  std::strftime(buf, sizeof buf, "%Y%m%dT%H%M%SZ", &tm);
  return buf;
}

std::string azure_sas_token(const std::string& resource, const std::string& key_name,
                            const std::string& key, int64_t expiry) {
  const std::string sr = uri_encode(resource);
  const std::string se = std::to_string(expiry);
  const std::string sig = uri_encode(base64_encode(hmac_sha256(key, sr + "\n" + se)));
  return "SharedAccessSignature sr=" + sr + "&sig=" + sig + "&se=" + se +
         "&skn=" + uri_encode(key_name);
}

}  // namespace rbk
