// The OpenAPI 3 description of the API (server/openapi.json, built in by CMake): served at
// /openapi.json, and read by a real validator in the tests.
#pragma once

namespace rbk::server {

extern const char* const kOpenApi;

}  // namespace rbk::server
