#include "server/http_client.hpp"

#include <httplib.h>

namespace rbk::server {

HttpReply http_call(const std::string& method, const std::string& url, const std::string& body,
                    const std::string& content_type,
                    const std::vector<std::pair<std::string, std::string>>& headers) {
  HttpReply reply;
  // scheme://host[:port]/path?query: httplib's client takes the first part, the call the rest.
  size_t scheme_end = url.find("://");
  if (scheme_end == std::string::npos) {
    reply.error = "not an http:// or https:// address";
    return reply;
  }
  size_t path_start = url.find('/', scheme_end + 3);
  std::string base = url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "/" : url.substr(path_start);
  httplib::Client client(base);
  client.set_connection_timeout(5, 0);
  client.set_read_timeout(10, 0);
  client.set_write_timeout(10, 0);
  httplib::Headers h;
  for (const auto& [k, v] : headers) h.emplace(k, v);
  httplib::Result r =
      method == "POST" ? client.Post(path, h, body, content_type.c_str()) : client.Get(path, h);
  if (!r) {
    reply.error = "no answer (" + httplib::to_string(r.error()) + ")";
    return reply;
  }
  reply.status = r->status;
  reply.body = r->body;
  return reply;
}

}  // namespace rbk::server
