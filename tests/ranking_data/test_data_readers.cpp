#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>

#include <cstdlib>
#include <filesystem>

#include "common/error.h"
#include "data/annotations.h"
#include "data/mot.h"
#include "data/shanghaitech.h"
#include "test_util.h"

namespace fs = std::filesystem;

namespace {

std::string fixture(const std::string& name) {
  // meson test runs this in the build folder where make_mat_fixtures.py wrote
  // them; RV_MAT_FIXTURES points elsewhere when run by hand.
  const char* dir = std::getenv("RV_MAT_FIXTURES");
  return ((dir ? fs::absolute(dir) : fs::current_path()) / name).string();
}

TEST(ShanghaiTech, ReadsLocationsAsZeroBased) {
  for (const char* name : {"valid.mat", "valid_compressed.mat"}) {
    const auto a = rv::read_shanghaitech_mat(fixture(name));
    ASSERT_EQ(a.points.size(), 3u) << name;
    EXPECT_FLOAT_EQ(a.points[0].x, 9.0f);
    EXPECT_FLOAT_EQ(a.points[0].y, 19.0f);
    EXPECT_FLOAT_EQ(a.points[1].x, 0.0f);
    EXPECT_FLOAT_EQ(a.points[1].y, 0.0f);
    EXPECT_FLOAT_EQ(a.points[2].x, 99.5f);
    EXPECT_FLOAT_EQ(a.points[2].y, 49.25f);
    EXPECT_EQ(a.number, 3.0);
  }
  const auto no_number = rv::read_shanghaitech_mat(fixture("no_number.mat"));
  EXPECT_EQ(no_number.points.size(), 3u);
  EXPECT_EQ(no_number.number, -1.0);
  const auto empty = rv::read_shanghaitech_mat(fixture("empty.mat"));
  EXPECT_TRUE(empty.points.empty());
  EXPECT_EQ(empty.number, 0.0);
}

TEST(ShanghaiTech, BrokenFilesNameTheFile) {
  const std::pair<const char*, const char*> cases[] = {
      {"wrong_field.mat", "location"},    {"wrong_shape.mat", "Nx2"},         {"number_mismatch.mat", "number"},
      {"no_image_info.mat", "image_info"}, {"string_location.mat", "numeric"}, {"not_a_cell.mat", "struct"},
      {"truncated.mat", ""},               {"header_only.mat", ""},            {"garbage.mat", ""},
      {"does_not_exist.mat", "no such file"},
  };
  for (const auto& [name, why] : cases) {
    const std::string path = fixture(name);
    SCOPED_TRACE(name);
    EXPECT_THROW_MSG(rv::read_shanghaitech_mat(path), rv::InputError, path);
    EXPECT_THROW_MSG(rv::read_shanghaitech_mat(path), rv::InputError, why);
  }
}

TEST(ShanghaiTech, DirectoryPairsSortedNumerically) {
  rv_test::TempDir dir("sht");
  fs::create_directories(dir.path() / "images");
  fs::create_directories(dir.path() / "ground-truth");
  const cv::Mat img(8, 8, CV_8UC3, cv::Scalar(1, 2, 3));
  for (int n : {10, 2, 1}) {
    cv::imwrite((dir.path() / "images" / ("IMG_" + std::to_string(n) + ".jpg")).string(), img);
    fs::copy_file(fixture("valid.mat"), dir.path() / "ground-truth" / ("GT_IMG_" + std::to_string(n) + ".mat"));
  }
  rv_test::write_text(dir.file("images/notes.txt"), "ignored");
  const auto items = rv::list_shanghaitech(dir.path().string());
  ASSERT_EQ(items.size(), 3u);
  EXPECT_EQ(items[0].index, 1);
  EXPECT_EQ(items[1].index, 2);
  EXPECT_EQ(items[2].index, 10);
  EXPECT_EQ(fs::path(items[2].annotation_path).filename(), "GT_IMG_10.mat");
  EXPECT_EQ(rv::read_shanghaitech_mat(items[2].annotation_path).points.size(), 3u);

  cv::imwrite((dir.path() / "images" / "IMG_7.jpg").string(), img);
  EXPECT_THROW_MSG(rv::list_shanghaitech(dir.path().string()), rv::InputError, "GT_IMG_7.mat");
  EXPECT_THROW_MSG(rv::list_shanghaitech(dir.file("nowhere")), rv::InputError, "images");
}

TEST(Mot, PeopleHeadsAndCounts) {
  rv_test::TempDir dir("mot");
  const std::string gt = dir.file("gt.txt");
  rv_test::write_text(gt,
                      "1,1,101,201,40,100,1,1,1.0\n"
                      "1,2,11,21,20,50,1,1,0.5\n"
                      "1,3,300,300,10,10,0,1,1.0\n"   // flag 0: ignored
                      "1,4,50,50,30,30,1,3,1.0\n"     // car
                      "1,5,60,60,30,80,1,7,1.0\n"     // static person: not class 1
                      "2,1,102,201,40,100,1,1,1.0\n"
                      "\n"
                      "4,1,1,1,10,20,1,1,0.2\n");
  const auto mot = rv::MotGroundTruth::load(gt);
  EXPECT_EQ(mot.frames(), (std::vector<int>{1, 2, 4}));
  EXPECT_EQ(mot.last_frame(), 4);
  EXPECT_EQ(mot.all_boxes().at(1).size(), 5u);
  EXPECT_EQ(mot.count(1), 2);
  EXPECT_EQ(mot.count(2), 1);
  EXPECT_EQ(mot.count(3), 0);
  EXPECT_EQ(mot.count(4), 1);
  const auto heads = mot.head_points(1);
  ASSERT_EQ(heads.size(), 2u);
  EXPECT_FLOAT_EQ(heads[0].x, 100.0f + 20.0f);  // 0-based left 100 + w/2
  EXPECT_FLOAT_EQ(heads[0].y, 200.0f + 10.0f);  // 0-based top 200 + 0.1 h
  EXPECT_FLOAT_EQ(heads[1].x, 20.0f);
  EXPECT_FLOAT_EQ(heads[1].y, 25.0f);
  EXPECT_EQ(rv::mot_frame_to_video_index(1), 0);
  EXPECT_EQ(rv::video_index_to_mot_frame(0), 1);
}

TEST(Mot, Mot15ColumnsAndErrors) {
  rv_test::TempDir dir("mot15");
  const std::string gt15 = dir.file("gt15.txt");
  rv_test::write_text(gt15, "1,1,10,10,5,5,1,-1,-1,-1\n1,2,10,10,5,5,0,-1,-1,-1\n");
  EXPECT_EQ(rv::MotGroundTruth::load(gt15).count(1), 1);
  const std::string bad = dir.file("bad.txt");
  rv_test::write_text(bad, "1,1,10,10,5,5,1,1,1\n2,1,ten,10,5,5,1,1,1\n");
  EXPECT_THROW_MSG(rv::MotGroundTruth::load(bad), rv::InputError, bad + ":2:");
  EXPECT_THROW_MSG(rv::MotGroundTruth::load(bad), rv::InputError, "left");
  rv_test::write_text(bad, "1,1,10,10\n");
  EXPECT_THROW_MSG(rv::MotGroundTruth::load(bad), rv::InputError, bad + ":1:");
  rv_test::write_text(bad, "0,1,10,10,5,5,1,1,1\n");
  EXPECT_THROW_MSG(rv::MotGroundTruth::load(bad), rv::InputError, "frame");
  EXPECT_THROW_MSG(rv::MotGroundTruth::load(dir.file("missing.txt")), rv::InputError, "missing.txt");
}

TEST(Points, JsonForms) {
  rv_test::TempDir dir("pts");
  const std::string a = dir.file("a.json");
  rv_test::write_text(a, R"({"images": [{"image": "x.jpg", "points": [[1, 2], [3.5, 4]]},
                                        {"image": "y.jpg", "points": []}]})");
  auto ann = rv::read_points(a);
  ASSERT_EQ(ann.size(), 2u);
  EXPECT_EQ(ann[0].image, "x.jpg");
  ASSERT_EQ(ann[0].points.size(), 2u);
  EXPECT_FLOAT_EQ(ann[0].points[1].x, 3.5f);
  EXPECT_TRUE(ann[1].points.empty());

  const std::string b = dir.file("b.json");
  rv_test::write_text(b, R"([{"image": "z.png", "points": [[5, 6]]}])");
  ann = rv::read_points_json(b);
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].image, "z.png");
  EXPECT_FLOAT_EQ(ann[0].points[0].y, 6.0f);

  const std::string c = dir.file("c.json");
  rv_test::write_text(c, "[[7, 8], [9, 10], [11, 12]]");
  ann = rv::read_points_json(c);
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_EQ(ann[0].points.size(), 3u);

  const std::string w = dir.file("w.json");
  rv::write_points_json(w, {{"q.jpg", {{1.25f, 2.5f}}}});
  ann = rv::read_points(w);
  ASSERT_EQ(ann.size(), 1u);
  EXPECT_FLOAT_EQ(ann[0].points[0].x, 1.25f);
}

TEST(Points, JsonErrorsNameFileAndField) {
  rv_test::TempDir dir("ptsbad");
  const std::string p = dir.file("bad.json");
  rv_test::write_text(p, R"({"images": [{"image": "x.jpg", "points": [[1, 2], [3]]}]})");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, p + ": images[0].points[1]");
  rv_test::write_text(p, R"({"images": [{"points": [[1, 2]]}]})");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, "images[0].image");
  rv_test::write_text(p, R"({"images": [{"image": "a", "points": [["1", 2]]}]})");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, "points[0]");
  rv_test::write_text(p, R"({"images": [)");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, "not valid JSON");
  // A number no double holds: our words, the file, the place and the number.
  rv_test::write_text(p, "{\"images\": [\n  {\"image\": \"a\", \"points\": [[1e999, 2]]}]}");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, p + ": line 2, column 30: the number '1e999' is too large");
  rv_test::write_text(p, "{\"images\": [\n  {\"image\": \"a\",, \"points\": []}]}");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, p + ": line 2, column 17: not valid JSON");
  rv_test::write_text(p, R"({"pictures": []})");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, "images");
  EXPECT_THROW_MSG(rv::read_points(dir.file("x.txt")), rv::InputError, "x.txt");
}

TEST(Points, Csv) {
  rv_test::TempDir dir("csv");
  const std::string p = dir.file("p.csv");
  rv_test::write_text(p, "image,x,y\na.jpg,1,2\nb.jpg,,\na.jpg,3,4\n\"c,d.jpg\",5,6\r\n");
  const auto ann = rv::read_points(p);
  ASSERT_EQ(ann.size(), 3u);
  EXPECT_EQ(ann[0].image, "a.jpg");
  ASSERT_EQ(ann[0].points.size(), 2u);
  EXPECT_FLOAT_EQ(ann[0].points[1].y, 4.0f);
  EXPECT_EQ(ann[1].image, "b.jpg");
  EXPECT_TRUE(ann[1].points.empty());
  EXPECT_EQ(ann[2].image, "c,d.jpg");
  rv_test::write_text(p, "a.jpg,1,2\na.jpg,1,zz\n");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, p + ":2: column 3 (y)");
  rv_test::write_text(p, "a.jpg,1\n");
  EXPECT_THROW_MSG(rv::read_points(p), rv::InputError, p + ":1:");
}

TEST(CountsAndScores, FrameCounts) {
  rv_test::TempDir dir("fc");
  const std::string p = dir.file("c.csv");
  rv_test::write_text(p, "frame,count\n0,3\n# comment\n5,12.5\n");
  const auto c = rv::read_frame_counts_csv(p);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[1].frame, 5);
  EXPECT_DOUBLE_EQ(c[1].count, 12.5);
  rv_test::write_text(p, "1,2\n2.5,3\n");
  EXPECT_THROW_MSG(rv::read_frame_counts_csv(p), rv::InputError, p + ":2: column 1 (frame)");
  rv_test::write_text(p, "1,-2\n");
  EXPECT_THROW_MSG(rv::read_frame_counts_csv(p), rv::InputError, "negative");
}

TEST(CountsAndScores, IqaScores) {
  rv_test::TempDir dir("iqa");
  const std::string p = dir.file("s.csv");
  rv_test::write_text(p, "image,mos,mos_std\n1.jpg,73.5,20.25\n2.jpg,10,1\n");
  auto s = rv::read_iqa_scores_csv(p);
  ASSERT_EQ(s.size(), 2u);
  EXPECT_EQ(s[0].image, "1.jpg");
  EXPECT_DOUBLE_EQ(s[0].mos, 73.5);
  EXPECT_DOUBLE_EQ(s[0].mos_std, 20.25);
  rv_test::write_text(p, "mos,image\n50,a.png\n");
  s = rv::read_iqa_scores_csv(p);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].image, "a.png");
  EXPECT_DOUBLE_EQ(s[0].mos, 50);
  EXPECT_EQ(s[0].mos_std, -1);
  rv_test::write_text(p, "name,score\na,1\n");
  EXPECT_THROW_MSG(rv::read_iqa_scores_csv(p), rv::InputError, p + ":1:");
  rv_test::write_text(p, "image,mos\na,1\nb,nan\n");
  EXPECT_THROW_MSG(rv::read_iqa_scores_csv(p), rv::InputError, p + ":3: column 2 (mos)");
  rv_test::write_text(p, "image,mos\na,1,2\n");
  EXPECT_THROW_MSG(rv::read_iqa_scores_csv(p), rv::InputError, p + ":2:");
  rv_test::write_text(p, "");
  EXPECT_THROW_MSG(rv::read_iqa_scores_csv(p), rv::InputError, "empty");
}

}  // namespace
