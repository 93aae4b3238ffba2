// ModelSlot: task check, device/precision preparation and the locked swap.
#include "engine/model_slot.h"

#include <string>
#include <utility>

#include "common/error.h"
#include "engine/device.h"

namespace rv {

namespace {

void prepare_net(const RankNetPtr& net, const torch::Device& device, bool fp16) {
  net->eval();
  net->to(device);
  if (fp16) net->to(torch::kHalf);
}

}  // namespace

void ModelSlot::set(ModelBundle bundle, const torch::Device& device, bool fp16) {
  if (!bundle.net) throw Error(std::string(engine_) + ": bundle has no network");
  if (bundle.meta.spec.task != task_) {
    throw InputError((bundle.path.empty() ? std::string("model") : bundle.path) + ": is a " +
                     to_string(bundle.meta.spec.task) + " model, but a " + to_string(task_) + " model is needed");
  }
  prepare_net(bundle.net, device, fp16);
  auto shared = std::make_shared<const ModelBundle>(std::move(bundle));
  std::lock_guard<std::mutex> lock(mutex_);
  bundle_ = std::move(shared);
}

std::shared_ptr<const ModelBundle> ModelSlot::get() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return bundle_;
}

EngineBase::EngineBase(ModelBundle bundle, EngineOptions options, Task task, const char* name)
    : options_(std::move(options)), device_(checked_device(options_)), model_(task, name) {
  set_model(std::move(bundle));
}

void EngineBase::set_model(ModelBundle bundle) { model_.set(std::move(bundle), device_, options_.fp16); }

}  // namespace rv
