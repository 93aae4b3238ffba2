#include "frame_converter.h"

#include <cstring>

namespace rvgst {

namespace {

bool packed_format(GstVideoFormat format, rv::PixelFormat& out) {
  switch (format) {
    case GST_VIDEO_FORMAT_RGB: out = rv::PixelFormat::RGB; return true;
    case GST_VIDEO_FORMAT_BGR: out = rv::PixelFormat::BGR; return true;
    case GST_VIDEO_FORMAT_RGBx: out = rv::PixelFormat::RGBx; return true;
    case GST_VIDEO_FORMAT_BGRx: out = rv::PixelFormat::BGRx; return true;
    case GST_VIDEO_FORMAT_RGBA: out = rv::PixelFormat::RGBA; return true;
    case GST_VIDEO_FORMAT_BGRA: out = rv::PixelFormat::BGRA; return true;
    default: return false;
  }
}

}  // namespace

FrameConverter::~FrameConverter() {
  if (converter_) gst_video_converter_free(converter_);
}

bool FrameConverter::is_packed_rgb(GstVideoFormat format) {
  rv::PixelFormat unused;
  return packed_format(format, unused);
}

bool FrameConverter::configure(const GstVideoInfo& info) {
  if (converter_) {
    gst_video_converter_free(converter_);
    converter_ = nullptr;
  }
  in_info_ = info;
  GstVideoFormat format = GST_VIDEO_INFO_FORMAT(&info);
  if (packed_format(format, packed_format_)) return true;
  if (format != GST_VIDEO_FORMAT_I420 && format != GST_VIDEO_FORMAT_NV12) return false;
  gst_video_info_set_format(&rgb_info_, GST_VIDEO_FORMAT_RGB, GST_VIDEO_INFO_WIDTH(&info),
                            GST_VIDEO_INFO_HEIGHT(&info));
  GST_VIDEO_INFO_FPS_N(&rgb_info_) = GST_VIDEO_INFO_FPS_N(&info);
  GST_VIDEO_INFO_FPS_D(&rgb_info_) = GST_VIDEO_INFO_FPS_D(&info);
  GST_VIDEO_INFO_PAR_N(&rgb_info_) = GST_VIDEO_INFO_PAR_N(&info);
  GST_VIDEO_INFO_PAR_D(&rgb_info_) = GST_VIDEO_INFO_PAR_D(&info);
  // One thread: the streaming thread converts while the worker runs the network.
  GstStructure* config = gst_structure_new("rankvision-convert",
      GST_VIDEO_CONVERTER_OPT_DITHER_METHOD, GST_TYPE_VIDEO_DITHER_METHOD, GST_VIDEO_DITHER_NONE,
      GST_VIDEO_CONVERTER_OPT_THREADS, G_TYPE_UINT, 1u, nullptr);
  GstVideoInfo in = info;
  converter_ = gst_video_converter_new(&in, &rgb_info_, config);
  packed_format_ = rv::PixelFormat::RGB;
  return converter_ != nullptr;
}

std::shared_ptr<PackedFrame> FrameConverter::convert(const GstVideoFrame& frame, bool own) {
  auto out = std::make_shared<PackedFrame>();
  const int width = GST_VIDEO_FRAME_WIDTH(&frame);
  const int height = GST_VIDEO_FRAME_HEIGHT(&frame);
  out->view.width = width;
  out->view.height = height;
  out->view.format = packed_format_;
  if (!converter_) {
    const auto* src = static_cast<const uint8_t*>(GST_VIDEO_FRAME_PLANE_DATA(&frame, 0));
    const size_t src_stride = GST_VIDEO_FRAME_PLANE_STRIDE(&frame, 0);
    if (!own) {
      out->view.data = src;
      out->view.stride = src_stride;
      return out;
    }
    const size_t row = static_cast<size_t>(width) * rv::bytes_per_pixel(packed_format_);
    out->storage.resize(row * height);
    for (int y = 0; y < height; ++y) std::memcpy(out->storage.data() + row * y, src + src_stride * y, row);
    out->view.data = out->storage.data();
    out->view.stride = row;
    return out;
  }
  out->storage.resize(GST_VIDEO_INFO_SIZE(&rgb_info_));
  g_autoptr(GstBuffer) wrapped = gst_buffer_new_wrapped_full(GstMemoryFlags(0), out->storage.data(), out->storage.size(), 0,
                                                   out->storage.size(), nullptr, nullptr);
  GstVideoFrame rgb;
  if (!gst_video_frame_map(&rgb, &rgb_info_, wrapped, GST_MAP_WRITE)) return nullptr;
  gst_video_converter_frame(converter_, &frame, &rgb);
  out->view.stride = GST_VIDEO_FRAME_PLANE_STRIDE(&rgb, 0);
  out->view.data = out->storage.data() + GST_VIDEO_INFO_PLANE_OFFSET(&rgb_info_, 0);
  gst_video_frame_unmap(&rgb);
  return out;
}

}  // namespace rvgst
