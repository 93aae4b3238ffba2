#include "train/checkpoint.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <sstream>

#include "common/error.h"

namespace rv {

void write_atomically(const std::string& path, const std::function<void(const std::string&)>& write) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  try {
    write(tmp);
  } catch (...) {
    std::remove(tmp.c_str());
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot write (" + ec.message() + ")");
  }
}

void save_checkpoint(const std::string& path, ModelBundle bundle, torch::optim::Optimizer& optimiser,
                     const nlohmann::json& training_state) {
  write_atomically(path + ".optim", [&](const std::string& tmp) {
    torch::serialize::OutputArchive archive;
    optimiser.save(archive);
    archive.save_to(tmp);
  });
  bundle.meta.provenance["training_state"] = training_state;
  save_bundle(path, bundle);
}

LoadedCheckpoint load_checkpoint(const std::string& path) {
  LoadedCheckpoint c;
  c.bundle = load_bundle(path);
  if (!c.bundle.meta.provenance.contains("training_state")) {
    throw_input_error(path, "not a training checkpoint (no training_state in its metadata)");
  }
  c.training_state = c.bundle.meta.provenance["training_state"];
  c.bundle.meta.provenance.erase("training_state");
  c.bundle.net->train();
  c.has_optimiser = std::filesystem::exists(path + ".optim");
  return c;
}

bool load_optimiser_state(const std::string& path, torch::optim::Optimizer& optimiser) {
  const std::string file = path + ".optim";
  if (!std::filesystem::exists(file)) return false;
  try {
    torch::serialize::InputArchive archive;
    archive.load_from(file);
    optimiser.load(archive);
  } catch (const c10::Error& e) {
    throw_input_error(file, "corrupt optimiser state (" + std::string(e.what_without_backtrace()).substr(0, 200) + ")");
  }
  return true;
}

std::string rng_state(const std::mt19937& rng) {
  std::ostringstream o;
  o << rng;
  return o.str();
}

void restore_rng_state(std::mt19937& rng, const std::string& state) {
  std::istringstream i(state);
  i >> rng;
  if (!i) throw InputError("checkpoint: corrupt random generator state");
}

}  // namespace rv
