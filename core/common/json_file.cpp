#include "common/json_file.h"

#include <fstream>
#include <regex>
#include <sstream>

#include "common/error.h"

namespace rv {

namespace {

// "line L, column C" of a byte offset (1-based, as editors count).
std::string place_of(const std::string& text, size_t offset) {
  offset = std::min(offset, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return "line " + std::to_string(line) + ", column " + std::to_string(column);
}

// The library's explanation without its "[json.exception...] parse error at ...: " prefix.
std::string reason_of(const std::string& message) {
  const auto colon = message.find(": ");
  std::string reason = colon == std::string::npos ? message : message.substr(colon + 2);
  return reason.empty() ? message : reason;
}

}  // namespace

nlohmann::json parse_json_text(const std::string& text, const std::string& what) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    // e.byte is one past the character that stopped the parser.
    throw_input_error(what, place_of(text, e.byte > 0 ? e.byte - 1 : 0) + ": not valid JSON (" +
                                reason_of(e.what()) + ")");
  } catch (const nlohmann::json::out_of_range& e) {
    // 406: a number that does not fit a double; name it and where it is.
    std::smatch m;
    const std::string message = e.what();
    std::string number;
    if (std::regex_search(message, m, std::regex("'([^']+)'"))) number = m[1];
    const size_t at = number.empty() ? std::string::npos : text.find(number);
    throw_input_error(what, (at == std::string::npos ? std::string() : place_of(text, at) + ": ") + "the number " +
                                (number.empty() ? std::string("here") : "'" + number + "'") +
                                " is too large for a double");
  } catch (const nlohmann::json::exception& e) {
    throw_input_error(what, "not valid JSON (" + reason_of(e.what()) + ")");
  }
  return {};
}

nlohmann::json read_json_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw_input_error(path, "cannot open the file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_json_text(text.str(), path);
}

}  // namespace rv
