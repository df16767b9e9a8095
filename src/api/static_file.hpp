#pragma once
// A file the API serves as it is (the dashboard's page, script and style), compiled
// into the controller: nothing is read from disk or fetched at run time.
#include <span>
#include <string_view>

namespace fmc::api {

struct StaticFile {
  std::string_view name;  // "index.html", "app.js"
  std::string_view content_type;
  std::string_view body;
};

// The dashboard (web/dashboard), bundled at build time; empty when built with
// -DFMC_DASHBOARD=OFF. Defined in the build folder's generated dashboard_files.cpp.
std::span<const StaticFile> dashboard_files();

}  // namespace fmc::api
