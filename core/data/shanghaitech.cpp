#include "data/shanghaitech.h"

#include <matio.h>
#include <zlib.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <regex>
#include <string>

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

// matio trusts the lengths written inside a file: a 400-byte file that declares
// a 4 GB variable name keeps it allocating and reading for many seconds (found
// by fuzz/fuzz_mat). So the element lengths of a Level-5 file are checked here
// first: every element, and every sub-element of an uncompressed array
// (recursively), must fit inside what encloses it. Compressed elements are
// inflated (up to 64 MB) and checked the same way; other formats (v4, v7.3
// HDF5) go to matio unchecked.
class MatV5Lengths {
 public:
  MatV5Lengths(const std::string& path, std::string bytes) : path_(path), b_(std::move(bytes)) {}

  void check() {
    if (b_.size() < 128 || !(b_.compare(126, 2, "IM") == 0 || b_.compare(126, 2, "MI") == 0)) return;
    swap_ = b_.compare(126, 2, "MI") == 0;
    walk(128, b_.size(), 0);
  }

 private:
  uint32_t u32(size_t at) const {
    const auto* p = reinterpret_cast<const unsigned char*>(b_.data() + at);
    return swap_ ? (uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3])
                 : (uint32_t(p[3]) << 24 | uint32_t(p[2]) << 16 | uint32_t(p[1]) << 8 | p[0]);
  }

  // Elements in [begin, end); arrays (type 14) are walked into.
  void walk(size_t begin, size_t end, int depth) {
    if (depth > 32) throw_input_error(path_, "corrupt .mat file: arrays nested more than 32 deep");
    size_t at = begin;
    while (at + 8 <= end) {
      const uint32_t type = u32(at), small = type >> 16;
      if (small != 0) {  // small data element: type and up to 4 bytes in one 8-byte tag
        if (small > 4) bad(at, small, 4);
        at += 8;
        continue;
      }
      const uint64_t n = u32(at + 4);
      if (n > end - at - 8) bad(at, n, end - at - 8);
      if (type == 14) {
        check_dims(at + 8, at + 8 + n);
        walk(at + 8, at + 8 + n, depth + 1);
      }
      if (type == 15) check_compressed(at + 8, n, depth);
      // Compressed elements (15) are not padded; the others are, to 8 bytes.
      at += 8 + (type == 15 ? n : (n + 7) / 8 * 8);
    }
  }

  // An array's dimensions (its second sub-element, after the 16 bytes of array
  // flags): every element takes at least a byte of the array, so more elements
  // than bytes is a lie that would make matio allocate for all of them (found by
  // fuzz/fuzz_mat: 6 GB for a 300-byte file).
  void check_dims(size_t begin, size_t end) {
    size_t at = begin + 16;
    if (at + 8 > end) return;  // not what matio expects either; it says so
    uint32_t type = u32(at);
    uint64_t bytes = type >> 16;
    size_t data = at + 4;
    if (bytes == 0) bytes = u32(at + 4), data = at + 8;
    type &= 0xffff;
    if (type != 5 || bytes % 4 != 0 || bytes > end - data) return;
    uint64_t count = 1;
    for (uint64_t i = 0; i < bytes / 4; ++i) {
      const uint64_t d = u32(data + 4 * i);
      if (d >> 31) throw_input_error(path_, "corrupt .mat file: an array at byte " + std::to_string(begin - 8) +
                                                " has a negative dimension");
      count = d == 0 ? 0 : std::min<uint64_t>(count * d, uint64_t(1) << 40);
    }
    if (count > end - begin)
      throw_input_error(path_, "corrupt .mat file: the array at byte " + std::to_string(begin - 8) + " claims " +
                                   std::to_string(count) + " elements in " + std::to_string(end - begin) + " bytes");
  }

  // A compressed element holds one element: inflate it (at most kMaxInflated bytes)
  // and check its lengths the same way.
  void check_compressed(size_t at, uint64_t n, int depth) {
    std::string inflated(std::min<uint64_t>(kMaxInflated, 64 * n + 4096), '\0');
    z_stream z{};
    if (inflateInit(&z) != Z_OK) return;
    z.next_in = reinterpret_cast<Bytef*>(b_.data() + at);
    z.avail_in = static_cast<uInt>(n);
    z.next_out = reinterpret_cast<Bytef*>(inflated.data());
    z.avail_out = static_cast<uInt>(inflated.size());
    const int rc = inflate(&z, Z_FINISH);
    const size_t got = inflated.size() - z.avail_out;
    inflateEnd(&z);
    if (rc != Z_STREAM_END && rc != Z_BUF_ERROR && rc != Z_OK)
      throw_input_error(path_, "corrupt .mat file: the compressed element at byte " + std::to_string(at - 8) +
                                   " does not inflate");
    inflated.resize(got);
    MatV5Lengths inner(path_, std::move(inflated));
    inner.swap_ = swap_;
    inner.walk(0, inner.b_.size(), depth + 1);
  }

  static constexpr uint64_t kMaxInflated = 64u << 20;

  [[noreturn]] void bad(size_t at, uint64_t claims, uint64_t room) const {
    throw_input_error(path_, "corrupt .mat file: the element at byte " + std::to_string(at) + " claims " +
                                 std::to_string(claims) + " bytes where " + std::to_string(room) + " remain");
  }

  std::string path_, b_;
  bool swap_ = false;
};

// ShanghaiTech annotations are a few KB; anything this large is not one.
constexpr std::uintmax_t kMaxMatBytes = 64u << 20;

void check_mat_lengths(const std::string& path) {
  const auto size = fs::file_size(path);
  if (size > kMaxMatBytes) {
    throw_input_error(path, "is " + std::to_string(size >> 20) + " MB: too large for a point annotation (at most " +
                                std::to_string(kMaxMatBytes >> 20) + " MB)");
  }
  std::ifstream in(path, std::ios::binary);
  MatV5Lengths(path, std::string(std::istreambuf_iterator<char>(in), {})).check();
}

}  // namespace

ShanghaiTechAnnotation read_shanghaitech_mat(const std::string& path) {
  if (!fs::is_regular_file(path)) throw_input_error(path, "no such file");
  check_mat_lengths(path);
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
