#pragma once
// Shared by the libFuzzer targets (scripts/fuzz): our readers take paths, so
// each input is written to a file in a folder of this process and the reader
// is called on it.
//
// The contract every target checks: bad input ends in rv::Error (our own
// error type) whose message names the file; anything else is a finding. An
// uncaught exception of another type (a raw library message reaching the
// user) aborts, and libFuzzer saves the input. So do crashes, leaks and
// sanitizer reports.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "common/error.h"

namespace rvfuzz {

inline const std::string& work_dir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string d = std::string(tmp && *tmp ? tmp : "/tmp") + "/rvfuzz-" + std::to_string(getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

inline std::string write_file(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = work_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

// A finding that is not a crash: print it and abort so libFuzzer keeps the input.
[[noreturn]] inline void finding(const std::string& what) {
  std::fprintf(stderr, "rvfuzz finding: %s\n", what.c_str());
  std::abort();
}

// Runs fn(path) on the input written as `name`; rv::Error must name `must_name`
// (the file, unless empty).
template <class F>
void on_file(const uint8_t* data, size_t size, const std::string& name, F fn, bool error_names_file = true) {
  const std::string path = write_file(name, data, size);
  try {
    fn(path);
  } catch (const rv::Error& e) {
    if (error_names_file && std::string(e.what()).find(path) == std::string::npos)
      finding(std::string("error does not name the file: ") + e.what());
  }
}

}  // namespace rvfuzz
