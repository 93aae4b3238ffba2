// rankvision: train, adapt, evaluate and inspect the models the GStreamer
// elements run. Git-style subcommands, each with --help.
#include <torch/torch.h>

#include <csignal>
#include <cstring>
#include <functional>
#include <iostream>
#include <string>
#include <vector>

#include "commands.h"
#include "common/error.h"
#include "rankvision_config.h"

namespace {

struct Command {
  const char* name;
  int (*run)(int, char**);
  const char* summary;
};

const std::vector<Command>& commands() {
  using namespace rv::cli;
  static const std::vector<Command> list = {
      {"train-count", cmd_train_count, "train a counting model (multi-task: labels + ranked crops)"},
      {"adapt", cmd_adapt, "adapt a counting model to one camera from its own footage"},
      {"eval-count", cmd_eval_count, "MAE / MSE of a counting model on labelled images or video"},
      {"select", cmd_select, "pick the frames to label first (least ranking certainty, Eq. 15)"},
      {"label", cmd_label, "a local web page to count people on frames by clicking on heads"},
      {"active-sim", cmd_active_sim, "simulate active learning: certainty against random (Fig. 7)"},
      {"train-iqa", cmd_train_iqa, "train a quality model (ranking on distortions, then scores)"},
      {"eval-iqa", cmd_eval_iqa, "SROCC / PLCC of a quality model on scored images"},
      {"distort", cmd_distort, "write the distortion ladder of an image as PNGs"},
      {"crops", cmd_crops, "write the nested crop set of an image as PNGs"},
      {"density", cmd_density, "write the density map of an annotated image as PNG"},
      {"heatmap", cmd_heatmap, "PNG of a model's predicted density on a few images or frames"},
      {"motion-boxes", cmd_motion_boxes, "boxes round what moves in a fixed camera (label-free in_boxes)"},
      {"info", cmd_info, "print a model bundle's metadata"},
  };
  return list;
}

void usage(std::ostream& o) {
  o << "usage: rankvision <command> [flags]   (rankvision <command> --help for its flags)\n\ncommands:\n";
  for (const auto& c : commands()) o << "  " << c.name << std::string(14 - std::strlen(c.name), ' ') << c.summary << "\n";
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) must fail the write, which is reported with
  // the file's name and leaves the old file in place, not kill the process
  // half-way through: ignore SIGXFSZ, as databases do.
  std::signal(SIGXFSZ, SIG_IGN);
  if (argc < 2 || std::string(argv[1]) == "--help" || std::string(argv[1]) == "-h" ||
      std::string(argv[1]) == "help") {
    usage(argc < 2 ? std::cerr : std::cout);
    return argc < 2 ? 2 : 0;
  }
  if (std::string(argv[1]) == "--version") {
    std::cout << "rankvision " << RANKVISION_VERSION << "\n";
    return 0;
  }
  for (const auto& c : commands()) {
    if (argv[1] != std::string(c.name)) continue;
    try {
      return c.run(argc - 2, argv + 2);
    } catch (const rv::Error& e) {
      std::cerr << "rankvision " << c.name << ": error: " << e.what() << "\n";
      return 2;
    } catch (const c10::Error& e) {
      std::cerr << "rankvision " << c.name << ": error: " << e.what_without_backtrace() << "\n";
      return 1;
    } catch (const std::exception& e) {
      std::cerr << "rankvision " << c.name << ": error: " << e.what() << "\n";
      return 1;
    }
  }
  std::cerr << "rankvision: unknown command '" << argv[1] << "'\n";
  usage(std::cerr);
  return 2;
}
