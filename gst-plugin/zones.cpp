#include "zones.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "common/json_file.h"
#include "common/polygon.h"

namespace rvgst {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t\n\r");
  if (b == std::string::npos) return "";
  const auto e = s.find_last_not_of(" \t\n\r");
  return s.substr(b, e - b + 1);
}

}  // namespace

std::vector<Zone> ZoneSet::in_pixels(int width, int height) const {
  if (!normalized) return zones;
  std::vector<Zone> out = zones;
  for (Zone& z : out)
    for (auto& [x, y] : z.polygon) {
      x *= width;
      y *= height;
    }
  return out;
}

Polygon parse_shape(const std::string& text, const std::string& what) {
  return rv::parse_polygon(text, what, /*allow_rect=*/true);
}

ZoneSet parse_zones(const std::string& text) {
  ZoneSet set;
  std::stringstream in(text);
  std::string entry;
  while (std::getline(in, entry, ';')) {
    entry = trim(entry);
    if (entry.empty()) continue;
    Zone zone;
    const auto colon = entry.find(':');
    if (colon != std::string::npos) {
      zone.id = trim(entry.substr(0, colon));
      entry = entry.substr(colon + 1);
    }
    if (zone.id.empty()) zone.id = "zone" + std::to_string(set.zones.size());
    zone.polygon = parse_shape(entry, "zones: zone \"" + zone.id + "\"");
    set.zones.push_back(std::move(zone));
  }
  return set;
}

ZoneSet load_zones_file(const std::string& path) {
  const nlohmann::json j = rv::read_json_file(path);
  ZoneSet set;
  nlohmann::json list = j;
  if (j.is_object()) {
    const std::string units = j.value("units", "pixels");
    if (units != "pixels" && units != "normalized")
      rv::throw_input_error(path, "\"units\" must be \"pixels\" or \"normalized\", not \"" + units + "\"");
    set.normalized = units == "normalized";
    if (!j.contains("zones")) rv::throw_input_error(path, "no \"zones\" array");
    list = j["zones"];
  }
  if (!list.is_array()) rv::throw_input_error(path, "\"zones\" must be an array");
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& z = list[i];
    const std::string what = path + ": zone " + std::to_string(i);
    if (!z.is_object()) rv::throw_input_error(what, "must be an object");
    Zone zone;
    zone.id = z.value("id", "zone" + std::to_string(i));
    try {
      if (z.contains("rect")) {
        auto r = z["rect"].get<std::vector<double>>();
        if (r.size() != 4) rv::throw_input_error(what, "\"rect\" needs [x, y, width, height]");
        zone.polygon = rv::rect_polygon(r[0], r[1], r[2], r[3], what);
      } else if (z.contains("polygon")) {
        std::vector<double> flat;
        for (const auto& pt : z["polygon"]) {
          auto xy = pt.get<std::vector<double>>();
          if (xy.size() != 2) rv::throw_input_error(what, "each polygon point must be [x, y]");
          flat.insert(flat.end(), xy.begin(), xy.end());
        }
        zone.polygon = rv::polygon_from_numbers(flat, what, /*allow_rect=*/false);
      } else {
        rv::throw_input_error(what, "needs \"rect\" or \"polygon\"");
      }
      zone.threshold = z.value("threshold", -1.0);
    } catch (const nlohmann::json::exception& e) {
      rv::throw_input_error(what, e.what());
    }
    set.zones.push_back(std::move(zone));
  }
  return set;
}

}  // namespace rvgst
