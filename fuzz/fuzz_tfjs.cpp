// libFuzzer target: the TF.js graph-model reader (core/model/tfjs_graph.h).
// One input holds model.json, then a line "@@SHARD@@", then the bytes of the
// weight shard group1-shard1of1.bin (the name the seed's manifest uses).
#include <cstring>

#include "fuzz_input.h"
#include "model/tfjs_graph.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const char kSep[] = "\n@@SHARD@@\n";
  const size_t sep_len = sizeof(kSep) - 1;
  size_t json_size = size, shard_at = size;
  for (size_t i = 0; i + sep_len <= size; ++i) {
    if (std::memcmp(data + i, kSep, sep_len) == 0) {
      json_size = i;
      shard_at = i + sep_len;
      break;
    }
  }
  rvfuzz::write_file("group1-shard1of1.bin", data + shard_at, size - shard_at);
  rvfuzz::on_file(data, json_size, "model.json", [](const std::string& path) {
    const auto graph = rv::load_tfjs_graph(path);
    const std::string end = rv::tfjs_find_chain_end(graph, 2);
    if (!end.empty()) (void)rv::tfjs_conv_chain(graph, end);
  });
  return 0;
}
