// rankvision label: a local web page where a person clicks on each head of the
// frames `select` picked (or of a folder of frames). It writes the counts CSV
// that `adapt --frame-counts` reads and the point JSON that `eval-count
// --points` reads, after every change (label_session.h). Serves on 127.0.0.1
// only, through cpp-httplib; Ctrl-C stops it.
//
// The JSON API (the page uses nothing else; scripts can use it too):
//   GET  /api/frames   [{"name", "index", "width", "height", "points": [[x, y], ...], "labelled"}]
//   GET  /frames/NAME  the frame as JPEG
//   POST /api/points   {"frame": NAME, "points": [[x, y], ...]} → {"frame", "count", "labelled", "total"}
// Errors: 400 (malformed JSON, a point outside the frame) or 404 (unknown
// frame), with {"error": REASON}.
#include <httplib.h>
#include <opencv2/imgcodecs.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "args.h"
#include "commands.h"
#include "common/error.h"
#include "data/csv.h"
#include "data/frame_source.h"
#include "label_page.h"
#include "label_session.h"
#include "train/stop_signal.h"

namespace rv::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

Args label_args() {
  return Args("label",
              "Serve a local page (http://127.0.0.1:PORT/) to count people by clicking on each head, frame by frame.\n"
              "Frames: --video FILE (a video or a folder of frames) with --list (the file `select --out` wrote)\n"
              "or --frames A:B; or --images DIR (all its images, or those in --list). After every change it writes\n"
              "OUT/counts.csv (for adapt --frame-counts) and OUT/points.json (for eval-count --points; video frames\n"
              "are saved as OUT/frames/*.png for its --images). Points already in OUT/points.json are kept.",
              {{"video", "FILE", "a video file or a folder of frames"},
               {"images", "DIR", "a folder of images"},
               {"list", "FILE", "the frames to label: one 'item[,certainty]' line each (select --out)"},
               {"frames", "A:B", "with --video and no --list: frames A..B-1"},
               {"out", "DIR", "where counts.csv and points.json go (created; required)"},
               {"port", "N", "port on 127.0.0.1 (0: any free port)", "8080"}});
}

// The items of a select list (first field of each line; '#' comments skipped).
std::vector<std::string> list_items(const std::string& path) {
  std::vector<std::string> out;
  for (const auto& row : read_csv_rows(path)) {
    if (row.fields.empty() || row.fields[0].empty()) continue;
    if (row.fields[0] == "item" || row.fields[0] == "frame" || row.fields[0] == "image") continue;  // a header
    out.push_back(row.fields[0]);
  }
  if (out.empty()) throw_input_error(path, "lists no frames");
  return out;
}

LabelFrame make_frame(const std::string& name, long index, const cv::Mat& bgr) {
  LabelFrame f;
  f.name = name;
  f.index = index;
  f.width = bgr.cols;
  f.height = bgr.rows;
  cv::imencode(".jpg", bgr, f.encoded, {cv::IMWRITE_JPEG_QUALITY, 92});
  return f;
}

std::string video_frame_name(long index) {
  std::ostringstream s;
  s << "frame_" << std::setw(6) << std::setfill('0') << index << ".png";
  return s.str();
}

// Video frames by index (from --list, in its order: select lists the least certain
// first; or --frames), saved as OUT/frames/*.png.
std::vector<LabelFrame> video_frames(const Args& a, const std::string& out) {
  std::vector<long> order;
  if (a.has("list")) {
    for (const auto& item : list_items(a.str("list"))) {
      try {
        size_t used = 0;
        const long v = std::stol(item, &used);
        if (used != item.size() || v < 0) throw std::invalid_argument(item);
        if (std::find(order.begin(), order.end(), v) == order.end()) order.push_back(v);
      } catch (const std::exception&) {
        throw_input_error(a.str("list"), "'" + item + "' is not a frame index (a list of video frames holds 0, 1, ...)");
      }
    }
  } else {
    const auto r = a.range("frames", 0, 1L << 40);
    for (long i = r.first; i < r.second && i - r.first < 1000; ++i) order.push_back(i);
  }
  const std::set<long> wanted(order.begin(), order.end());
  fs::create_directories(out + "/frames");
  std::map<long, LabelFrame> found;
  auto source = FrameSource::open(a.str("video"), FrameRange{});
  cv::Mat frame;
  long index = 0;
  while (index <= *wanted.rbegin() && source->next(frame, index)) {
    if (!wanted.count(index)) continue;
    LabelFrame f = make_frame(video_frame_name(index), index, frame);
    const std::string png = out + "/frames/" + f.name;
    if (!fs::exists(png) && !cv::imwrite(png, frame)) throw_input_error(png, "cannot write the frame");
    found.emplace(index, std::move(f));
  }
  if (found.size() != wanted.size())
    throw_input_error(a.str("video"), "has " + std::to_string(index) + " frames; " +
                                          (a.has("list") ? "--list " + a.str("list") : std::string("--frames")) +
                                          " asks for frame " + std::to_string(*wanted.rbegin()));
  std::vector<LabelFrame> frames;
  for (long i : order) frames.push_back(std::move(found.at(i)));
  return frames;
}

// Images of --images (all, or the names in --list), indexed by their place in the folder.
std::vector<LabelFrame> image_frames(const Args& a) {
  const std::string dir = a.str("images");
  const auto files = list_image_files(dir);
  std::set<std::string> wanted;
  if (a.has("list"))
    for (const auto& item : list_items(a.str("list"))) wanted.insert(fs::path(item).filename().string());
  std::vector<LabelFrame> frames;
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string name = fs::path(files[i]).filename().string();
    if (!wanted.empty() && !wanted.count(name)) continue;
    const cv::Mat img = cv::imread(files[i], cv::IMREAD_COLOR);
    if (img.empty()) throw_input_error(files[i], "cannot read the image");
    frames.push_back(make_frame(name, static_cast<long>(i), img));
  }
  if (!wanted.empty() && frames.size() != wanted.size())
    throw_input_error(a.str("list"), "names images that are not in " + dir);
  return frames;
}

void reply_error(httplib::Response& res, int status, const std::string& reason) {
  res.status = status;
  res.set_content(json{{"error", reason}}.dump(), "application/json");
}

void add_routes(httplib::Server& server, LabelSession& session) {
  server.Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(label_page_html(), "text/html; charset=utf-8");
  });
  server.Get("/api/frames", [&session](const httplib::Request&, httplib::Response& res) {
    res.set_content(session.frames_json().dump(), "application/json");
  });
  server.Get(R"(/frames/(.+))", [&session](const httplib::Request& req, httplib::Response& res) {
    const LabelFrame* f = session.find(req.matches[1]);
    if (!f) return reply_error(res, 404, "unknown frame '" + std::string(req.matches[1]) + "'");
    res.set_content(reinterpret_cast<const char*>(f->encoded.data()), f->encoded.size(), "image/jpeg");
  });
  server.Post("/api/points", [&session](const httplib::Request& req, httplib::Response& res) {
    json body;
    try {
      body = json::parse(req.body);
    } catch (const std::exception&) {
      return reply_error(res, 400, "the body is not JSON: expected {\"frame\": NAME, \"points\": [[x, y], ...]}");
    }
    try {
      res.set_content(session.set_points(body).dump(), "application/json");
    } catch (const InputError& e) {
      const bool unknown = std::string(e.what()).rfind("unknown frame", 0) == 0;
      reply_error(res, unknown ? 404 : 400, e.what());
    } catch (const std::exception& e) {
      reply_error(res, 500, e.what());  // a write error: the page shows it
    }
  });
  server.set_error_handler([](const httplib::Request&, httplib::Response& res) {
    if (res.body.empty()) res.set_content(json{{"error", "no such page"}}.dump(), "application/json");
  });
}

}  // namespace

int cmd_label(int argc, char** argv) {
  Args a = label_args();
  if (!a.parse(argc, argv)) return 0;
  const std::string out = a.required("out");
  if (a.has("video") == a.has("images")) throw InputError("label: give exactly one of --video and --images");
  if (a.has("video") && !a.has("list") && !a.has("frames")) throw InputError("label: --video needs --list or --frames");
  const int port = static_cast<int>(a.integer("port", 8080, 0, 65535));
  fs::create_directories(out);
  const bool video = a.has("video");
  LabelSession session(video ? video_frames(a, out) : image_frames(a), out, video ? a.str("video") : a.str("images"));
  httplib::Server server;
  add_routes(server, session);
  const int bound = port == 0 ? server.bind_to_any_port("127.0.0.1") : (server.bind_to_port("127.0.0.1", port) ? port : -1);
  if (bound < 0) throw InputError("--port " + std::to_string(port) + ": cannot listen on 127.0.0.1 (in use?)");
  install_stop_handler();
  std::thread listener([&server] { server.listen_after_bind(); });
  std::cout << "label: " << session.frames_json().size() << " frames; open http://127.0.0.1:" << bound
            << "/ in a browser (Ctrl-C to stop)\n"
            << "label: writes " << session.counts_path() << " and " << session.points_path() << " after every change"
            << std::endl;
  while (!stop_requested()) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  server.stop();
  listener.join();
  json summary = {{"frames", session.frames_json().size()}, {"counts", session.counts_path()},
                  {"points", session.points_path()}, {"port", bound}};
  std::cout << summary.dump() << std::endl;
  return 0;
}

}  // namespace rv::cli
