// The server's outgoing requests (webhook deliveries, the OpenID provider's discovery,
// keys and token endpoint), one call each, with bounded timeouts. It keeps cpp-httplib in
// one file of the client side, as http_server.cpp keeps it on the server side.
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace rbk::server {

struct HttpReply {
  int status = 0;  // 0: no answer (then ERROR says why)
  std::string body;
  std::string error;  // "" when an answer came
};

// METHOD ("GET" or "POST") URL (http:// or https://, verified against the system's CAs),
// with BODY of CONTENT_TYPE (POST) and extra HEADERS.
HttpReply http_call(const std::string& method, const std::string& url, const std::string& body = "",
                    const std::string& content_type = "",
                    const std::vector<std::pair<std::string, std::string>>& headers = {});

}  // namespace rbk::server
