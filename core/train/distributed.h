#pragma once
// Data-parallel training over PyTorch's c10d (Gloo; works on CPU tensors)
// with torchrun-style variables: MASTER_ADDR, MASTER_PORT, WORLD_SIZE, RANK.
// Every rank draws the same global batch from the same seed and trains on its
// slice; gradients are averaged with allreduce, so the update equals that of
// one process on the combined batch (for equal slices, without batch norm,
// whose statistics stay per rank).
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

namespace rv {

class Distributed {
 public:
  // nullptr when WORLD_SIZE is unset or 1. Throws rv::InputError naming the
  // variable for malformed values, rv::Error when the rendezvous fails
  // (timeout_s: how long to wait for the other ranks).
  static std::unique_ptr<Distributed> from_environment(double timeout_s = 120.0);
  // WORLD_SIZE (1 when unset), validated; lets callers check batch sizes
  // before waiting for the other ranks.
  static int world_size_from_environment();
  ~Distributed();

  int rank() const { return rank_; }
  int world_size() const { return world_; }
  bool is_main() const { return rank_ == 0; }

  // Averages the gradients of `parameters` over the ranks (a missing gradient
  // counts as zero). One flattened allreduce keeps it to one round trip.
  void average_gradients(const std::vector<torch::Tensor>& parameters);
  // Copies rank 0's parameters and buffers to every rank.
  void broadcast_module(torch::nn::Module& module);
  // Sum / max of doubles over the ranks (losses for the log, stop flags).
  std::vector<double> sum(const std::vector<double>& values);
  double max(double value);
  void barrier();

 private:
  Distributed() = default;
  struct Impl;
  std::unique_ptr<Impl> impl_;
  int rank_ = 0, world_ = 1;
};

// Rank r's half-open slice [begin, end) of n items: equal parts; throws
// rv::InputError when n is not divisible by the world size (the update would
// no longer equal the single-process one).
std::pair<long, long> rank_slice(long n, int rank, int world, const std::string& what);

}  // namespace rv
