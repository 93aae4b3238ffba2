#pragma once
// The two tasks a network, a bundle or an element serves (counting, quality),
// with their names. Torch-free, so code built without LibTorch (the GStreamer
// elements' settings) can name a task; model/network.h includes it.
#include <string>

namespace rv {

enum class Task { Count, Quality };
std::string to_string(Task task);
// Throws rv::InputError for anything but "count" / "quality".
Task task_from_string(const std::string& name);

}  // namespace rv
