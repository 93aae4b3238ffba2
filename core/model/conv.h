#pragma once
// One 2-D convolution call for every network in core/model, so inference on
// the CPU always takes the oneDNN (MKL-DNN) kernels.
//
// Why: LibTorch 1.13 sends a batch-1 1×1 convolution on one intra-op thread to
// its "slow" path, a GEMM through whatever libblas.so.3 the system has. On a
// plain Debian install that is the reference (netlib) BLAS, and PoseNet's
// thirteen pointwise convolutions then run at ~2 GFLOP/s: 1.6 frames/s for the
// counting network at 384×288 against ~40 with oneDNN (bench: plugin_overhead).
// With two threads LibTorch already picks oneDNN itself, so the result is the
// same kernel either way; this just stops depending on the thread count.
//
// Used only where autograd is off (InferenceMode or NoGradGuard): training
// keeps at::conv2d and its derivative.
#include <torch/torch.h>

namespace rv {

torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     int64_t stride = 1, int64_t padding = 0, int64_t dilation = 1, int64_t groups = 1);
// Asymmetric zero padding in pixels before the convolution ({top, bottom, left, right}).
torch::Tensor conv2d(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                     int64_t stride, std::array<int64_t, 4> pad, int64_t dilation, int64_t groups);
// Per-channel normalisation values (mean or std of RGB) as a [1,3,1,1] tensor.
torch::Tensor channel_tensor(const std::vector<double>& v);
// Initialises a density decoder: `hidden` convs (ReLU after each) Kaiming-normal with zero
// bias, the 1x1 output conv small (normal, sd 0.01) so training starts near zero density.
void init_density_decoder(std::initializer_list<torch::nn::Conv2d*> hidden, torch::nn::Conv2d& out);
// Quality heads: the mean and standard deviation over the image of every
// channel of each map [N,C,H,W], concatenated: [N, 2 * sum of C]. The sd is
// sqrt(var + 1e-6), finite in gradient where a channel is constant.
torch::Tensor mean_sd_statistics(const std::vector<torch::Tensor>& maps);
// A torch::nn::Conv2d's forward (zero padding, symmetric) through rv::conv2d.
torch::Tensor conv2d(torch::nn::Conv2d& conv, const torch::Tensor& x);

}  // namespace rv
