// ProcessGroupGloo.hpp is only declared when USE_C10D_GLOO is defined (it is
// how PyTorch builds it); Debian's libtorch_cpu exports the symbols.
#ifndef USE_C10D_GLOO
#define USE_C10D_GLOO 1
#endif
#include "train/distributed.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <chrono>
#include <cstdlib>

#include "common/error.h"

namespace rv {

struct Distributed::Impl {
  c10::intrusive_ptr<c10d::TCPStore> store;
  c10::intrusive_ptr<c10d::ProcessGroupGloo> group;
};

namespace {
long env_integer(const char* name, long fallback, long lo, long hi) {
  const char* v = std::getenv(name);
  if (!v || !*v) return fallback;
  char* end = nullptr;
  const long x = std::strtol(v, &end, 10);
  if (*end != '\0' || x < lo || x > hi) {
    throw InputError(std::string("environment ") + name + "='" + v + "': expected an integer in [" +
                     std::to_string(lo) + ", " + std::to_string(hi) + "]");
  }
  return x;
}
}  // namespace

std::unique_ptr<Distributed> Distributed::from_environment(double timeout_s) {
  const long world = env_integer("WORLD_SIZE", 1, 1, 4096);
  if (world == 1) return nullptr;
  const long rank = env_integer("RANK", -1, 0, world - 1);
  if (rank < 0) throw InputError("environment RANK: required when WORLD_SIZE > 1");
  const char* addr = std::getenv("MASTER_ADDR");
  const std::string host = addr && *addr ? addr : "127.0.0.1";
  const long port = env_integer("MASTER_PORT", 29500, 1, 65535);

  std::unique_ptr<Distributed> d(new Distributed());
  d->rank_ = static_cast<int>(rank);
  d->world_ = static_cast<int>(world);
  d->impl_ = std::make_unique<Impl>();
  const auto timeout = std::chrono::milliseconds(static_cast<long>(timeout_s * 1000));
  try {
    c10d::TCPStoreOptions so;
    so.port = static_cast<uint16_t>(port);
    so.isServer = rank == 0;
    so.numWorkers = static_cast<int>(world);
    so.waitWorkers = true;
    so.timeout = timeout;
    d->impl_->store = c10::make_intrusive<c10d::TCPStore>(host, so);
    auto options = c10d::ProcessGroupGloo::Options::create(timeout);
    options->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname(host));
    d->impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(d->impl_->store, d->rank_, d->world_, options);
  } catch (const std::exception& e) {
    throw Error("distributed rendezvous at " + host + ":" + std::to_string(port) + " (rank " + std::to_string(rank) +
                " of " + std::to_string(world) + ") failed: " + e.what());
  }
  return d;
}

int Distributed::world_size_from_environment() {
  return static_cast<int>(env_integer("WORLD_SIZE", 1, 1, 4096));
}

Distributed::~Distributed() = default;

void Distributed::average_gradients(const std::vector<torch::Tensor>& parameters) {
  std::vector<torch::Tensor> grads;
  for (const auto& p : parameters) {
    grads.push_back(p.grad().defined() ? p.grad().detach().reshape({-1}) : torch::zeros({p.numel()}, p.options()));
  }
  if (grads.empty()) return;
  std::vector<torch::Tensor> flat{torch::cat(grads).to(torch::kCPU).contiguous()};
  impl_->group->allreduce(flat)->wait();
  flat[0].div_(world_);
  long offset = 0;
  torch::NoGradGuard no_grad;
  for (const auto& p : parameters) {
    auto part = flat[0].narrow(0, offset, p.numel()).view(p.sizes()).to(p.device());
    offset += p.numel();
    if (p.grad().defined()) p.mutable_grad().copy_(part);
    else p.mutable_grad() = part.clone();
  }
}

void Distributed::broadcast_module(torch::nn::Module& module) {
  torch::NoGradGuard no_grad;
  std::vector<torch::Tensor> all;
  for (auto& p : module.parameters()) all.push_back(p);
  for (auto& b : module.buffers()) all.push_back(b);
  for (auto& t : all) {
    std::vector<torch::Tensor> one{t.to(torch::kCPU).contiguous()};
    impl_->group->broadcast(one)->wait();
    t.copy_(one[0]);
  }
}

std::vector<double> Distributed::sum(const std::vector<double>& values) {
  if (values.empty()) return values;
  std::vector<torch::Tensor> t{torch::tensor(values, torch::kFloat64)};
  impl_->group->allreduce(t)->wait();
  auto acc = t[0].accessor<double, 1>();
  std::vector<double> out(values.size());
  for (size_t i = 0; i < out.size(); ++i) out[i] = acc[static_cast<long>(i)];
  return out;
}

double Distributed::max(double value) {
  std::vector<torch::Tensor> t{torch::tensor({value}, torch::kFloat64)};
  c10d::AllreduceOptions o;
  o.reduceOp = c10d::ReduceOp::MAX;
  impl_->group->allreduce(t, o)->wait();
  return t[0].item<double>();
}

void Distributed::barrier() { impl_->group->barrier()->wait(); }

std::pair<long, long> rank_slice(long n, int rank, int world, const std::string& what) {
  if (world <= 1) return {0, n};
  if (n % world != 0) {
    throw InputError(what + " " + std::to_string(n) + ": must be divisible by WORLD_SIZE " + std::to_string(world));
  }
  const long part = n / world;
  return {part * rank, part * (rank + 1)};
}

}  // namespace rv
