#include "data/shanghaitech.h"

#include <matio.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>
#include <regex>

#include "common/error.h"

namespace fs = std::filesystem;

namespace rv {

namespace {

struct MatCloser {
  void operator()(mat_t* m) const { Mat_Close(m); }
};
struct VarFreer {
  void operator()(matvar_t* v) const { Mat_VarFree(v); }
};

size_t element_count(const matvar_t* v) {
  size_t n = 1;
  for (int i = 0; i < v->rank; ++i) n *= v->dims[i];
  return n;
}

bool is_numeric(matio_classes c) {
  switch (c) {
    case MAT_C_DOUBLE: case MAT_C_SINGLE: case MAT_C_INT8: case MAT_C_UINT8: case MAT_C_INT16:
    case MAT_C_UINT16: case MAT_C_INT32: case MAT_C_UINT32: case MAT_C_INT64: case MAT_C_UINT64:
      return true;
    default:
      return false;
  }
}

// Element i of a real numeric variable as double.
double numeric_at(const matvar_t* v, size_t i) {
  switch (v->class_type) {
    case MAT_C_DOUBLE: return static_cast<const double*>(v->data)[i];
    case MAT_C_SINGLE: return static_cast<const float*>(v->data)[i];
    case MAT_C_INT8: return static_cast<const int8_t*>(v->data)[i];
    case MAT_C_UINT8: return static_cast<const uint8_t*>(v->data)[i];
    case MAT_C_INT16: return static_cast<const int16_t*>(v->data)[i];
    case MAT_C_UINT16: return static_cast<const uint16_t*>(v->data)[i];
    case MAT_C_INT32: return static_cast<const int32_t*>(v->data)[i];
    case MAT_C_UINT32: return static_cast<const uint32_t*>(v->data)[i];
    case MAT_C_INT64: return static_cast<double>(static_cast<const int64_t*>(v->data)[i]);
    case MAT_C_UINT64: return static_cast<double>(static_cast<const uint64_t*>(v->data)[i]);
    default: return 0.0;
  }
}

void check_numeric(const matvar_t* v, const std::string& path, const std::string& field) {
  if (!is_numeric(v->class_type) || v->isComplex)
    throw_input_error(path, field + " is not a real numeric array");
  if (element_count(v) > 0 && v->data == nullptr) throw_input_error(path, field + " has no readable data");
}

std::string dims_text(const matvar_t* v) {
  std::string s;
  for (int i = 0; i < v->rank; ++i) s += (i ? "x" : "") + std::to_string(v->dims[i]);
  return s;
}

}  // namespace

ShanghaiTechAnnotation read_shanghaitech_mat(const std::string& path) {
  if (!fs::is_regular_file(path)) throw_input_error(path, "no such file");
  std::unique_ptr<mat_t, MatCloser> mat(Mat_Open(path.c_str(), MAT_ACC_RDONLY));
  if (!mat) throw_input_error(path, "not a readable MATLAB .mat file");
  std::unique_ptr<matvar_t, VarFreer> info(Mat_VarRead(mat.get(), "image_info"));
  if (!info) throw_input_error(path, "no readable variable image_info (file truncated or not ShanghaiTech)");

  // image_info{1} is a struct; accept a bare struct too (some re-saved copies).
  matvar_t* st = info.get();
  if (info->class_type == MAT_C_CELL) {
    if (element_count(info.get()) < 1 || info->data == nullptr)
      throw_input_error(path, "image_info is an empty cell");
    st = Mat_VarGetCell(info.get(), 0);
    if (st == nullptr) throw_input_error(path, "image_info{1} is unreadable");
  }
  if (st->class_type != MAT_C_STRUCT || element_count(st) < 1)
    throw_input_error(path, "image_info{1} is not a struct (found class " + std::to_string(st->class_type) + ")");

  matvar_t* loc = Mat_VarGetStructFieldByName(st, "location", 0);
  if (loc == nullptr) throw_input_error(path, "image_info{1} has no field 'location'");
  check_numeric(loc, path, "image_info{1}.location");

  ShanghaiTechAnnotation out;
  const size_t n_elem = element_count(loc);
  if (n_elem > 0) {
    if (loc->rank != 2 || loc->dims[1] != 2)
      throw_input_error(path, "image_info{1}.location is " + dims_text(loc) + ", expected Nx2 (x, y)");
    const size_t n = loc->dims[0];
    out.points.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      // Column-major: x in column 0, y in column 1.
      const double x = numeric_at(loc, i), y = numeric_at(loc, i + n);
      if (!std::isfinite(x) || !std::isfinite(y))
        throw_input_error(path, "image_info{1}.location row " + std::to_string(i + 1) + " is not finite");
      out.points.emplace_back(static_cast<float>(x - 1.0), static_cast<float>(y - 1.0));
    }
  }

  if (matvar_t* num = Mat_VarGetStructFieldByName(st, "number", 0)) {
    check_numeric(num, path, "image_info{1}.number");
    if (element_count(num) != 1) throw_input_error(path, "image_info{1}.number is not a scalar");
    out.number = numeric_at(num, 0);
    if (std::lround(out.number) != static_cast<long>(out.points.size()))
      throw_input_error(path, "image_info{1}.number is " + std::to_string(std::lround(out.number)) + " but location has " +
                                  std::to_string(out.points.size()) + " rows");
  }
  return out;
}

std::vector<ShanghaiTechItem> list_shanghaitech(const std::string& dir) {
  const fs::path root(dir), images = root / "images", gt = root / "ground-truth";
  if (!fs::is_directory(images)) throw_input_error(images.string(), "no such folder (expected DIR/images)");
  if (!fs::is_directory(gt)) throw_input_error(gt.string(), "no such folder (expected DIR/ground-truth)");
  static const std::regex name(R"(IMG_(\d+)\.(jpg|jpeg|png))", std::regex::icase);
  std::vector<ShanghaiTechItem> items;
  for (const auto& entry : fs::directory_iterator(images)) {
    if (!entry.is_regular_file()) continue;
    std::smatch m;
    const std::string file = entry.path().filename().string();
    if (!std::regex_match(file, m, name)) continue;
    ShanghaiTechItem item;
    try {
      item.index = std::stoi(m[1].str());
    } catch (const std::exception&) {
      throw_input_error(entry.path().string(), "image number out of range");
    }
    item.image_path = entry.path().string();
    const fs::path ann = gt / ("GT_IMG_" + m[1].str() + ".mat");
    if (!fs::is_regular_file(ann))
      throw_input_error(ann.string(), "missing annotation for image " + item.image_path);
    item.annotation_path = ann.string();
    items.push_back(item);
  }
  if (items.empty()) throw_input_error(images.string(), "no IMG_n.jpg images");
  std::sort(items.begin(), items.end(), [](const auto& a, const auto& b) { return a.index < b.index; });
  return items;
}

}  // namespace rv
