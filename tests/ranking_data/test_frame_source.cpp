#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

#include "bundle/bundle.h"
#include "common/error.h"
#include "common/polygon.h"
#include "data/frame_source.h"
#include "data/roi.h"
#include "data/lone_walkers.h"
#include "data/temporal_median.h"
#include "engine/crowd_counter.h"
#include "train/adapt.h"
#include "test_util.h"

namespace {

// Frame i is a flat grey of 10 + 20·i, readable back through lossy codecs.
cv::Mat frame(int i) { return cv::Mat(48, 64, CV_8UC3, cv::Scalar::all(10 + 20 * i)); }

std::vector<std::pair<long, double>> read_all(rv::FrameSource& src) {
  std::vector<std::pair<long, double>> out;
  cv::Mat f;
  long idx = 0;
  while (src.next(f, idx)) {
    EXPECT_EQ(f.type(), CV_8UC3);
    out.emplace_back(idx, cv::mean(f)[0]);
  }
  return out;
}

TEST(FrameRange, Parse) {
  auto r = rv::parse_frame_range("3:9");
  EXPECT_EQ(r.first, 3);
  EXPECT_EQ(r.end, 9);
  EXPECT_EQ(r.stride, 1);
  r = rv::parse_frame_range(":5");
  EXPECT_EQ(r.first, 0);
  EXPECT_EQ(r.end, 5);
  r = rv::parse_frame_range("2:");
  EXPECT_EQ(r.end, -1);
  r = rv::parse_frame_range("1:10:3");
  EXPECT_EQ(r.stride, 3);
  for (const char* bad : {"5:2", "a:b", "3", "1:2:0", "-1:4", "1:2:3:4"})
    EXPECT_THROW_MSG(rv::parse_frame_range(bad, "--frames"), rv::InputError, "--frames");
}

TEST(FrameSource, ImageFolderNaturalOrderAndRange) {
  rv_test::TempDir dir("frames");
  for (int i = 0; i < 12; ++i) cv::imwrite(dir.file("f_" + std::to_string(i) + ".png"), frame(i));
  rv_test::write_text(dir.file("readme.txt"), "not an image");
  auto src = rv::FrameSource::open(dir.path().string());
  EXPECT_FALSE(src->is_video());
  EXPECT_EQ(src->total_frames(), 12);
  auto all = read_all(*src);
  ASSERT_EQ(all.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(all[i].first, i);
    EXPECT_NEAR(all[i].second, 10 + 20 * i, 0.5);  // f_10 after f_9
  }
  src = rv::FrameSource::open(dir.path().string(), rv::parse_frame_range("3:10:3"));
  all = read_all(*src);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].first, 3);
  EXPECT_EQ(all[1].first, 6);
  EXPECT_EQ(all[2].first, 9);
  EXPECT_NEAR(all[2].second, 190, 0.5);

  EXPECT_THROW_MSG(rv::FrameSource::open(dir.path().string(), rv::parse_frame_range("20:")), rv::InputError,
                   dir.path().string());
  // A corrupt image is reported by name when reached.
  rv_test::write_text(dir.file("f_12.png"), "garbage");
  src = rv::FrameSource::open(dir.path().string(), rv::parse_frame_range("11:"));
  cv::Mat f;
  EXPECT_TRUE(src->next(f));
  EXPECT_THROW_MSG(src->next(f), rv::InputError, "f_12.png");
}

TEST(FrameSource, VideoFileWithRangeAndStride) {
  rv_test::TempDir dir("video");
  const std::string path = dir.file("clip.avi");
  {
    cv::VideoWriter writer(path, cv::VideoWriter::fourcc('M', 'J', 'P', 'G'), 10.0, cv::Size(64, 48));
    ASSERT_TRUE(writer.isOpened()) << "OpenCV cannot write MJPG .avi here";
    for (int i = 0; i < 12; ++i) writer.write(frame(i));
  }
  auto src = rv::FrameSource::open(path);
  EXPECT_TRUE(src->is_video());
  auto all = read_all(*src);
  ASSERT_EQ(all.size(), 12u);
  for (int i = 0; i < 12; ++i) {
    EXPECT_EQ(all[i].first, i);
    EXPECT_NEAR(all[i].second, 10 + 20 * i, 3.0);
  }
  src = rv::FrameSource::open(path, rv::parse_frame_range("2:9:3"));
  all = read_all(*src);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].first, 5);
  EXPECT_NEAR(all[1].second, 110, 3.0);
  EXPECT_THROW_MSG(rv::FrameSource::open(path, rv::parse_frame_range("50:")), rv::InputError, path);
}

TEST(FrameSource, BadInputsNameThePath) {
  rv_test::TempDir dir("badvideo");
  const std::string empty = dir.file("empty.avi");
  rv_test::write_text(empty, "");
  EXPECT_THROW_MSG(rv::FrameSource::open(empty), rv::InputError, empty);
  const std::string junk = dir.file("junk.mp4");
  rv_test::write_text(junk, std::string(4096, 'x'));
  EXPECT_THROW_MSG(rv::FrameSource::open(junk), rv::InputError, junk);
  EXPECT_THROW_MSG(rv::FrameSource::open(dir.file("nothing.avi")), rv::InputError, "nothing.avi");
  const std::string folder = dir.file("nofiles");
  std::filesystem::create_directories(folder);
  EXPECT_THROW_MSG(rv::FrameSource::open(folder), rv::InputError, folder);
}

}  // namespace

// The temporal median of a fixed camera: a "person" that visits each pixel in
// fewer than half of the frames is gone from it; one that stays is kept.
TEST(TemporalMedian, RemovesWhatMovesKeepsWhatStays) {
  std::vector<cv::Mat> frames;
  for (int i = 0; i < 9; ++i) {
    cv::Mat f(40, 90, CV_8UC3, cv::Scalar(50, 100, 150));
    f(cv::Rect(10 * i, 5, 10, 10)).setTo(cv::Scalar(255, 255, 255));  // walks to the right
    f(cv::Rect(40, 25, 8, 8)).setTo(cv::Scalar(0, 0, 0));              // stands still
    frames.push_back(f);
  }
  const cv::Mat m = rv::temporal_median(frames);
  ASSERT_EQ(m.size(), frames[0].size());
  ASSERT_EQ(m.type(), CV_8UC3);
  for (int i = 0; i < 9; ++i) EXPECT_EQ(m.at<cv::Vec3b>(10, 10 * i + 5), cv::Vec3b(50, 100, 150)) << "walker at " << i;
  EXPECT_EQ(m.at<cv::Vec3b>(28, 44), cv::Vec3b(0, 0, 0));
  // Even count: the lower middle value, one that occurs.
  const cv::Mat two = rv::temporal_median({cv::Mat(2, 2, CV_8UC1, cv::Scalar(10)), cv::Mat(2, 2, CV_8UC1, cv::Scalar(30))});
  EXPECT_EQ(two.at<uint8_t>(1, 1), 10);
}

TEST(TemporalMedian, BadInputNamesTheProblem) {
  EXPECT_THROW(rv::temporal_median({}), rv::InputError);
  try {
    rv::temporal_median({cv::Mat(4, 4, CV_8UC3), cv::Mat(4, 5, CV_8UC3)});
    FAIL() << "no error for frames of different sizes";
  } catch (const rv::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("frame 1"), std::string::npos) << e.what();
  }
  EXPECT_THROW(rv::temporal_median({cv::Mat(4, 4, CV_32F, cv::Scalar(0))}), rv::InputError);
}

// The background of one frame: away from the box of each moving blob, grown by a quarter of its size
// on every side, exactly as `rankvision motion-boxes` boxes it; a blob smaller than min_area, a colour
// change under the threshold and what stands still are background.
TEST(MotionMask, BackgroundIsAwayFromGrownBoxesOfWhatMoves) {
  const cv::Mat median(120, 160, CV_8UC3, cv::Scalar(50, 100, 150));
  cv::Mat frame = median.clone();
  frame(cv::Rect(40, 20, 20, 40)).setTo(cv::Scalar(50, 100, 250));   // a walker: 20x40, blue channel +100
  frame(cv::Rect(120, 90, 6, 6)).setTo(cv::Scalar(255, 255, 255));   // 36 px: under min_area 150
  frame(cv::Rect(100, 10, 20, 20)).setTo(cv::Scalar(70, 100, 150));  // a shadow: difference 20 < 30
  const cv::Mat bg = rv::static_background_mask(frame, median);
  ASSERT_EQ(bg.size(), frame.size());
  ASSERT_EQ(bg.type(), CV_8U);
  // Grown box: x 40-5 .. 60+5 (exclusive), y 20-10 .. 60+10.
  EXPECT_EQ(cv::countNonZero(bg == 0), 30 * 60);
  EXPECT_EQ(bg.at<uint8_t>(10, 35), 0);
  EXPECT_EQ(bg.at<uint8_t>(69, 64), 0);
  EXPECT_EQ(bg.at<uint8_t>(9, 35), 255);
  EXPECT_EQ(bg.at<uint8_t>(70, 64), 255);
  EXPECT_EQ(bg.at<uint8_t>(40, 65), 255);
  EXPECT_EQ(bg.at<uint8_t>(92, 122), 255);
  EXPECT_EQ(bg.at<uint8_t>(20, 110), 255);
  rv::MotionMaskOptions o;
  o.threshold = 10;  // now the shadow moves too
  o.grow = 0;
  const cv::Mat bg2 = rv::static_background_mask(frame, median, o);
  EXPECT_EQ(cv::countNonZero(bg2 == 0), 20 * 40 + 20 * 20);
  // A box at the edge is clipped, not an error.
  cv::Mat edge = median.clone();
  edge(cv::Rect(150, 100, 10, 20)).setTo(cv::Scalar(0, 0, 0));
  EXPECT_EQ(cv::countNonZero(rv::static_background_mask(edge, median) == 0), (10 + 3) * (20 + 5 + 0));
  // Grey frames work; frames that do not match the median are refused.
  cv::Mat grey_median(30, 30, CV_8UC1, cv::Scalar(0)), grey = grey_median.clone();
  grey(cv::Rect(5, 5, 15, 15)).setTo(200);
  EXPECT_EQ(cv::countNonZero(rv::static_background_mask(grey, grey_median) == 0), 23 * 23);
  EXPECT_THROW(rv::static_background_mask(frame, grey_median), rv::InputError);
  EXPECT_THROW(rv::static_background_mask(cv::Mat(4, 4, CV_32F, cv::Scalar(0)), cv::Mat(4, 4, CV_32F)), rv::InputError);
}

// Lone walkers: the person-height line is fitted through blobs whose height grows with their bottom row
// (h = 0.25 x bottom + 10), outliers (a merged group twice as tall) left out; a blob is a lone walker when
// it fits that line and a walker's shape, keeps off the edges and has no other blob near its window.
TEST(LoneWalkers, PerspectiveLineAndWhoWalksAlone) {
  std::vector<std::vector<cv::Rect>> frames;
  for (int k = 0; k < 20; ++k) {
    const int bottom = 100 + 20 * k, h = bottom / 4 + 10;
    frames.push_back({cv::Rect(10 + 5 * k, bottom - h, h / 2, h)});
    if (k % 4 == 0) frames.back().push_back(cv::Rect(300, bottom - 2 * h, h, 2 * h));  // a group: twice as tall
  }
  const rv::PersonHeightLine line = rv::fit_person_heights(frames, 480);
  EXPECT_NEAR(line.slope, 0.25, 0.01);
  EXPECT_NEAR(line.intercept, 10, 1.5);
  EXPECT_EQ(line.blobs, 20);
  const cv::Size frame(640, 480);
  const cv::Rect walker(100, 200 - 60, 30, 60);           // bottom 200: 60 px tall, as the line says
  const cv::Rect tall(300, 200 - 100, 50, 100);           // 100 px at that row: not one person
  const cv::Rect wide(400, 300 - 85, 70, 85);             // the right height, but 70 px wide: a pair
  const cv::Rect edge(0, 300 - 85, 40, 85);               // cut by the left edge
  auto w = rv::lone_walker_windows({walker, tall, wide, edge}, line, frame);
  ASSERT_EQ(w.size(), 1u);
  EXPECT_EQ(w[0], cv::Rect(85, 110, 60, 120));            // grown by half its size on every side
  // A second walker close by: neither is alone.
  w = rv::lone_walker_windows({walker, cv::Rect(150, 140, 30, 60)}, line, frame);
  EXPECT_TRUE(w.empty());
  // Too few blobs, or heights that shrink towards the bottom of the frame, give no line.
  EXPECT_THROW(rv::fit_person_heights({{walker}}, 480), rv::InputError);
  std::vector<std::vector<cv::Rect>> upside;
  for (int k = 0; k < 12; ++k) upside.push_back({cv::Rect(10, 40 * k, 10, 200 - 18 * k)});
  try {
    rv::fit_person_heights(upside, 480);
    FAIL() << "fitted a line that is negative at the bottom";
  } catch (const rv::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not positive"), std::string::npos) << e.what();
  }
}

TEST(Roi, ParseBoxAndMask) {
  const auto roi = rv::parse_roi("0,0 0.5,0;0.5,1 0,1", "--roi");
  ASSERT_EQ(roi.size(), 4u);
  EXPECT_EQ(rv::roi_box(roi, cv::Size(100, 50)), cv::Rect(0, 0, 50, 50));
  const cv::Mat m = rv::roi_mask(roi, cv::Size(100, 50));
  EXPECT_EQ(m.at<uint8_t>(25, 10), 255);
  EXPECT_EQ(m.at<uint8_t>(25, 90), 0);
  EXPECT_EQ(cv::countNonZero(rv::roi_mask({}, cv::Size(7, 3))), 21);
  for (const char* bad : {"0,0 1,0", "0,0 1,0 x,1", "0,0 1,0 1,2", "0;0 1,0 1,1"}) {
    try {
      rv::parse_roi(bad, "--roi");
      FAIL() << "accepted '" << bad << "'";
    } catch (const rv::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("--roi"), std::string::npos) << e.what();
    }
  }
}

TEST(Polygon, OneParserForZonesAndRois) {
  // A flat list, "x,y" points, spaces after commas: the same polygon.
  const rv::Polygon tri = {{0, 0}, {10, 0}, {0, 20}};
  EXPECT_EQ(rv::parse_polygon("0,0,10,0,0,20", "zone", false), tri);
  EXPECT_EQ(rv::parse_polygon("0,0 10,0;0,20", "zone", false), tri);
  EXPECT_EQ(rv::parse_polygon(" 0, 0, 10, 0, 0, 20 ", "zone", false), tri);
  // Four numbers: a rectangle where allowed, too few points otherwise.
  EXPECT_EQ(rv::parse_polygon("1,2,3,4", "roi", true), (rv::Polygon{{1, 2}, {4, 2}, {4, 6}, {1, 6}}));
  for (const auto& [text, rect] : std::vector<std::pair<const char*, bool>>{
           {"1,2,3,4", false}, {"1,2,0,4", true}, {"0,0,,1,1,0", false}, {"0,0,1,1,1,0,", false},
           {"0,0 1 1,1", false}, {"0,0,1,x,1,0", false}, {"0,0,1,1e999,1,0", false}, {"", false}}) {
    try {
      rv::parse_polygon(text, "zones: zone \"door\"", rect);
      FAIL() << "accepted '" << text << "'";
    } catch (const rv::InputError& e) {
      EXPECT_NE(std::string(e.what()).find("zone \"door\""), std::string::npos) << e.what();
    }
  }
}

TEST(Polygon, ElementAndTrainerCountTheSameInsideARegion) {
  // A triangle cutting through density cells diagonally: the element sums the
  // cells of a frame-pixel polygon (count_in_polygon, and a bundle's ROI), the
  // trainer masks the density map with the normalised ROI (count_in_frame).
  rv::NetSpec spec;
  spec.task = rv::Task::Count;
  spec.width = 0.125;
  rv::ModelBundle bundle = rv::make_bundle(spec);
  bundle.net->eval();
  const int w = 160, h = 96;
  cv::Mat bgr(h, w, CV_8UC3);
  cv::randu(bgr, cv::Scalar::all(0), cv::Scalar::all(255));
  const rv::RoiPolygon roi = {{0.05, 0.1}, {0.93, 0.37}, {0.31, 0.96}};
  rv::Polygon pixels;
  for (const auto& [u, v] : roi) pixels.emplace_back(u * w, v * h);

  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  const rv::ImageView view{rgb.data, w, h, rgb.step[0], rv::PixelFormat::RGB};
  rv::CrowdCounter element(bundle);
  const rv::CountResult whole = element.count(view);
  const double element_zone = rv::count_in_polygon(whole, pixels);
  auto with_roi = bundle;
  with_roi.meta.roi = roi;
  const double element_roi = rv::CrowdCounter(with_roi).count(view).count;
  const double trainer = rv::count_in_frame(*bundle.net, bgr, 1.0, roi);
  EXPECT_GT(std::abs(whole.count - element_zone), 1e-3) << "the region must leave some cells out";
  EXPECT_NEAR(element_zone, trainer, 1e-4 * std::max(1.0, std::abs(trainer)));
  EXPECT_NEAR(element_roi, trainer, 1e-4 * std::max(1.0, std::abs(trainer)));
}
