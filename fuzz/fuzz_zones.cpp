// libFuzzer target: the crowdcount `zones` / `roi` property strings and zone
// files (gst-plugin/zones.h, core/common/polygon.h).
#include "fuzz_input.h"
#include "common/polygon.h"
#include "zones.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    (void)rvgst::parse_zones(text);
  } catch (const rv::Error&) {
  }
  try {
    (void)rv::parse_polygon(text, "roi", true);
  } catch (const rv::Error&) {
  }
  rvfuzz::on_file(data, size, "zones.json", [](const std::string& path) { (void)rvgst::load_zones_file(path); });
  return 0;
}
