#pragma once
// JSON from outside the program (points files, zones files, TF.js model.json,
// bundle metadata), parsed with errors in our own words: the file, the line and
// column, and what is wrong, never a bare library message.
#include <nlohmann/json.hpp>

#include <string>

namespace rv {

// rv::InputError "WHAT: line L, column C: ..." when `text` is not valid JSON or
// holds a number too large for a double (1e999).
nlohmann::json parse_json_text(const std::string& text, const std::string& what);
// Reads and parses a file; rv::InputError naming it when missing or invalid.
nlohmann::json read_json_file(const std::string& path);

}  // namespace rv
