#pragma once
// Errors that cross the core's API. Every message names the thing (file, field,
// flag) and the reason, so a CLI can print it as one line and an element can
// post it unchanged.
#include <stdexcept>
#include <string>

namespace rv {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A file, record or value supplied by the user is missing or malformed.
class InputError : public Error {
 public:
  using Error::Error;
};

// "path: reason", the one shape every file error has.
[[noreturn]] void throw_input_error(const std::string& what, const std::string& reason);

// "path:line: reason" for line-oriented files (CSV, gt.txt).
[[noreturn]] void throw_line_error(const std::string& path, long line, const std::string& reason);

}  // namespace rv
