// Import of a torchvision VGG16 state dict into the trunk. The fixture is made
// by vgg_fixture.py with Debian's python3-torch; its path comes in argv.
#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "common/error.h"
#include "model/density_net.h"
#include "model/vgg.h"

static std::string g_pth, g_sums;

TEST(VggImport, CopiesEveryConvLayer) {
  rv::DensityNet net(rv::NetSpec{});
  const int copied = rv::import_torchvision_vgg16(net.trunk(), g_pth);
  EXPECT_EQ(copied, 26);
  std::map<std::string, double> sums;
  std::ifstream in(g_sums);
  std::string key;
  double v;
  while (in >> key >> v) sums[key] = v;
  ASSERT_EQ(sums.size(), 26u);
  static const int idx[] = {0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28};
  int conv = 0;
  for (const auto& m : net.trunk()->children()) {
    auto* c = m->as<torch::nn::Conv2d>();
    if (!c) continue;
    const std::string p = "features." + std::to_string(idx[conv++]) + ".";
    EXPECT_NEAR(c->weight.sum().item<double>(), sums[p + "weight"], 1e-3 + 1e-5 * std::abs(sums[p + "weight"]));
    EXPECT_NEAR(c->bias.sum().item<double>(), sums[p + "bias"], 1e-3 + 1e-5 * std::abs(sums[p + "bias"]));
  }
}

TEST(VggImport, WrongWidthAndBadFilesAreNamed) {
  rv::NetSpec compact;
  compact.width = 0.25;
  rv::DensityNet small(compact);
  try {
    rv::import_torchvision_vgg16(small.trunk(), g_pth);
    FAIL() << "expected a shape error";
  } catch (const rv::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("--width 1"), std::string::npos) << e.what();
  }
  rv::DensityNet net(rv::NetSpec{});
  try {
    rv::import_torchvision_vgg16(net.trunk(), g_sums);  // a text file
    FAIL() << "expected a format error";
  } catch (const rv::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(g_sums), std::string::npos) << e.what();
  }
}

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (argc < 3) {
    std::fprintf(stderr, "usage: %s STATE_DICT.pth SUMS.txt\n", argv[0]);
    return 2;
  }
  g_pth = argv[1];
  g_sums = argv[2];
  return RUN_ALL_TESTS();
}
