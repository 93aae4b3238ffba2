#pragma once
// Small helpers shared by the quality, selection and visualisation
// subcommands: output files written atomically, checks that run before
// anything is written, and the scored images of train-iqa and eval-iqa.
#include <unistd.h>

#include <algorithm>
#include <random>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "common/error.h"
#include "data/annotations.h"

namespace rv::cli {

// The held-out split of scored images: `train-iqa --val N --seed S` keeps the first N of the list
// shuffled by this, and `eval-iqa --holdout N --split-seed S` evaluates exactly those. It depends
// only on the seed and the CSV's row order.
template <class T>
void shuffle_for_holdout(std::vector<T>& rows, uint32_t seed) {
  std::mt19937 rng(seed ^ 0x5eed);
  std::shuffle(rows.begin(), rows.end(), rng);
}

// The folder an output file goes to must exist (we never create parent
// folders silently: a typo would scatter files).
inline void check_output_file(const std::string& flag, const std::string& path) {
  namespace fs = std::filesystem;
  if (path.empty()) throw InputError(flag + ": empty path");
  const fs::path p(path);
  const fs::path parent = p.parent_path().empty() ? fs::path(".") : p.parent_path();
  if (!fs::is_directory(parent)) throw InputError(flag + " " + path + ": folder " + parent.string() + " does not exist");
  if (fs::is_directory(p)) throw InputError(flag + " " + path + ": is a folder");
}

// An output folder: created when missing (its parent must exist).
inline void prepare_output_dir(const std::string& flag, const std::string& dir) {
  namespace fs = std::filesystem;
  if (dir.empty()) throw InputError(flag + ": empty path");
  if (fs::exists(dir) && !fs::is_directory(dir)) throw InputError(flag + " " + dir + ": exists and is not a folder");
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) throw InputError(flag + " " + dir + ": cannot create folder (" + ec.message() + ")");
}

inline void require_dir(const std::string& flag, const std::string& dir) {
  if (!std::filesystem::is_directory(dir)) throw InputError(flag + " " + dir + ": no such folder");
}

inline void require_file(const std::string& flag, const std::string& path) {
  if (!std::filesystem::is_regular_file(path)) throw InputError(flag + " " + path + ": no such file");
}

// Temp file in the same folder, then rename: a reader never sees half a file
// and a failed run leaves the previous file in place.
inline void write_text_atomic(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary);
    if (!f) throw Error(path + ": cannot write (" + tmp + ")");
    f << text;
    if (!f.flush()) {
      std::remove(tmp.c_str());
      throw Error(path + ": write failed");
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::remove(tmp.c_str());
    throw Error(path + ": cannot rename " + tmp + " into place");
  }
}

// The rows of a scores CSV (--scores: image,mos[,mos_std]), each naming an image in dir; the
// caller has checked that both exist.
inline std::vector<IqaScore> read_scores_in(const std::string& csv, const std::string& dir) {
  std::vector<IqaScore> rows = read_iqa_scores_csv(csv);
  if (rows.empty()) throw InputError("--scores " + csv + ": no rows");
  for (const auto& s : rows) {
    if (!std::filesystem::is_regular_file(std::filesystem::path(dir) / s.image))
      throw InputError(csv + ": image " + s.image + " not found in " + dir);
  }
  return rows;
}

}  // namespace rv::cli
