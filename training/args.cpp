#include "args.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <sstream>

#include "common/error.h"

namespace rv::cli {

Args::Args(std::string command, std::string summary, std::vector<FlagSpec> flags)
    : command_(std::move(command)), summary_(std::move(summary)), flags_(std::move(flags)) {}

const FlagSpec* Args::find(const std::string& name) const {
  for (const auto& f : flags_)
    if (f.name == name) return &f;
  return nullptr;
}

bool Args::parse(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::cout << help();
      return false;
    }
    if (a.rfind("--", 0) != 0) {
      positional_.push_back(a);
      continue;
    }
    std::string name = a.substr(2), value;
    bool inline_value = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      inline_value = true;
    }
    const FlagSpec* spec = find(name);
    if (!spec) throw InputError("unknown flag --" + name + " (see rankvision " + command_ + " --help)");
    if (spec->value.empty()) {
      if (inline_value) throw InputError("--" + name + ": takes no value");
      value = "1";
    } else if (!inline_value) {
      if (i + 1 >= argc) throw InputError("--" + name + ": needs a value (" + spec->value + ")");
      value = argv[++i];
    }
    auto& slot = values_[name];
    if (!slot.empty() && !spec->repeatable) throw InputError("--" + name + ": given more than once");
    slot.push_back(value);
  }
  return true;
}

std::string Args::help() const {
  std::ostringstream o;
  o << "usage: rankvision " << command_ << " [flags]\n\n" << summary_ << "\n\nflags:\n";
  for (const auto& f : flags_) {
    std::string left = "  --" + f.name + (f.value.empty() ? "" : " " + f.value);
    o << left;
    o << std::string(left.size() < 30 ? 30 - left.size() : 1, ' ') << f.help;
    if (!f.fallback.empty()) o << " (default " << f.fallback << ")";
    if (f.repeatable) o << " [repeatable]";
    o << "\n";
  }
  return o.str();
}

bool Args::has(const std::string& name) const { return values_.count(name) > 0; }
bool Args::flag(const std::string& name) const { return has(name); }

std::string Args::str(const std::string& name, const std::string& fallback) const {
  auto it = values_.find(name);
  return it == values_.end() ? fallback : it->second.back();
}

std::string Args::required(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end()) throw InputError("--" + name + " is required");
  return it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

long Args::integer(const std::string& name, long fallback) const {
  if (!has(name)) return fallback;
  const std::string v = str(name);
  char* end = nullptr;
  errno = 0;
  const long x = std::strtol(v.c_str(), &end, 10);
  if (v.empty() || *end != '\0' || errno) throw InputError("--" + name + " '" + v + "': not an integer");
  return x;
}

double Args::real(const std::string& name, double fallback) const {
  if (!has(name)) return fallback;
  const std::string v = str(name);
  char* end = nullptr;
  errno = 0;
  const double x = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || errno || !std::isfinite(x)) throw InputError("--" + name + " '" + v + "': not a number");
  return x;
}

long Args::integer(const std::string& name, long fallback, long lo, long hi) const {
  const long x = integer(name, fallback);
  if (x < lo || x > hi) {
    throw InputError("--" + name + " " + std::to_string(x) + ": must be in [" + std::to_string(lo) + ", " +
                     std::to_string(hi) + "]");
  }
  return x;
}

double Args::real(const std::string& name, double fallback, double lo, double hi) const {
  const double x = real(name, fallback);
  if (x < lo || x > hi) {
    std::ostringstream o;
    o << "--" << name << " " << x << ": must be in [" << lo << ", " << hi << "]";
    throw InputError(o.str());
  }
  return x;
}

std::pair<long, long> Args::range(const std::string& name, long lo, long hi) const {
  if (!has(name)) return {lo, hi};
  const std::string v = str(name);
  const auto colon = v.find(':');
  if (colon == std::string::npos) throw InputError("--" + name + " '" + v + "': expected A:B");
  auto part = [&](const std::string& s, long fallback) {
    if (s.empty()) return fallback;
    char* end = nullptr;
    const long x = std::strtol(s.c_str(), &end, 10);
    if (*end != '\0' || x < 0) throw InputError("--" + name + " '" + v + "': expected A:B with A, B >= 0");
    return x;
  };
  const long a = part(v.substr(0, colon), lo), b = part(v.substr(colon + 1), hi);
  if (b <= a) throw InputError("--" + name + " '" + v + "': empty range (B must be greater than A)");
  return {a, b};
}

}  // namespace rv::cli
