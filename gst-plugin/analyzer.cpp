#include "analyzer.h"

#include <sstream>

namespace rvgst {

std::string describe_spec(const rv::BundleMeta& meta) {
  std::ostringstream out;
  out << meta.spec.arch << " width " << meta.spec.width;
  return out.str();
}

}  // namespace rvgst
