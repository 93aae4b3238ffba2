#pragma once
// GstVideoFrame → rv::ImageView. Packed RGB orders are viewed in place (or
// copied when the job outlives the buffer); I420 and NV12 are converted to RGB
// with libgstvideo's converter, honouring the stream's colour matrix and range.
#include <gst/video/video.h>

#include <cstdint>
#include <memory>
#include <vector>

#include "engine/image_view.h"

namespace rvgst {

// Pixels an inference job reads: either borrowed from a mapped frame or owned.
struct PackedFrame {
  std::vector<uint8_t> storage;
  rv::ImageView view;
};

class FrameConverter {
 public:
  FrameConverter() = default;
  ~FrameConverter();
  FrameConverter(const FrameConverter&) = delete;
  FrameConverter& operator=(const FrameConverter&) = delete;

  // False when the format is not one the elements accept.
  bool configure(const GstVideoInfo& info);
  // `own`: copy the pixels so the result stays valid after the frame is unmapped.
  std::shared_ptr<PackedFrame> convert(const GstVideoFrame& frame, bool own);

  static bool is_packed_rgb(GstVideoFormat format);

 private:
  GstVideoInfo in_info_{};
  GstVideoInfo rgb_info_{};
  GstVideoConverter* converter_ = nullptr;
  rv::PixelFormat packed_format_ = rv::PixelFormat::RGB;
};

}  // namespace rvgst
