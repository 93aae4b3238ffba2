#include "train/jsonl_log.h"

#include "common/error.h"

namespace rv {

JsonlLog::JsonlLog(const std::string& path, bool append) : path_(path) {
  if (path.empty()) return;
  out_.open(path, append ? std::ios::app : std::ios::trunc);
  if (!out_) throw_input_error(path, "cannot open the log file for writing");
}

void JsonlLog::write(const nlohmann::json& record) {
  if (!out_.is_open()) return;
  out_ << record.dump() << "\n";
  out_.flush();
  if (!out_) throw Error(path_ + ": write failed (disk full?)");
}

}  // namespace rv
