// rankvision info: a model bundle's metadata as pretty JSON.
#include <filesystem>
#include <iostream>

#include "args.h"
#include "bundle/bundle.h"
#include "commands.h"
#include "common/error.h"

namespace rv::cli {

int cmd_info(int argc, char** argv) {
  Args a("info", "Print a model bundle's metadata (JSON). Without a file: the installed default models.",
         {{"model", "FILE", "model bundle (or give it as the argument)"}});
  if (!a.parse(argc, argv)) return 0;
  std::vector<std::string> files = a.positional();
  if (a.has("model")) files.push_back(a.str("model"));
  if (files.empty()) {
    for (Task t : {Task::Count, Task::Quality}) {
      const std::string p = default_model_path(t);
      std::cout << to_string(t) << ": " << (p.empty() ? "(no default model installed)" : p) << "\n";
    }
    return 0;
  }
  for (const auto& f : files) {
    auto j = read_bundle_meta(f).to_json();
    nlohmann::json out = {{"path", f}, {"bytes", std::filesystem::file_size(f)}, {"meta", j}};
    std::cout << out.dump(2) << std::endl;
  }
  return 0;
}

}  // namespace rv::cli
