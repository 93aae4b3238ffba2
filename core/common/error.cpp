#include "common/error.h"

namespace rv {

void throw_input_error(const std::string& what, const std::string& reason) {
  throw InputError(what + ": " + reason);
}

void throw_line_error(const std::string& path, long line, const std::string& reason) {
  throw InputError(path + ":" + std::to_string(line) + ": " + reason);
}

}  // namespace rv
