// The files of server/web/, built into the binary by CMake (web_assets.cpp, generated from
// web_assets.cpp.in): the page, and the assets it loads by name. Read by web_pages.cpp only.
#pragma once

#include <cstddef>

namespace rbk::server::web_sources {

struct Source {
  const char* name;  // app.js, as the page and the modules' imports name it
  const char* text;
};

extern const char* const kPage;  // index.html
extern const Source kAssets[];
extern const size_t kAssetCount;

}  // namespace rbk::server::web_sources
