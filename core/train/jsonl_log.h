#pragma once
// Append-only JSON Lines log of a training run (one object per line, flushed
// at once, so a crash or Ctrl-C loses nothing already logged). A default
// constructed or empty-path log discards everything.
#include <nlohmann/json.hpp>

#include <fstream>
#include <string>

namespace rv {

class JsonlLog {
 public:
  JsonlLog() = default;
  // append=false truncates. Throws rv::InputError naming the path when it
  // cannot be opened.
  JsonlLog(const std::string& path, bool append);
  bool enabled() const { return out_.is_open(); }
  void write(const nlohmann::json& record);

 private:
  std::ofstream out_;
  std::string path_;
};

}  // namespace rv
