#pragma once
// A small git-style flag parser for the rankvision subcommands: --name VALUE,
// --name=VALUE, boolean --flag, repeatable flags. Unknown flags and bad values
// throw rv::InputError naming the flag, so main() prints one line and exits 2.
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rv::cli {

struct FlagSpec {
  std::string name;     // without the leading "--"
  std::string value;    // placeholder shown in --help ("" = boolean flag)
  std::string help;
  std::string fallback = {};  // default shown in --help (informational)
  bool repeatable = false;
};

class Args {
 public:
  Args(std::string command, std::string summary, std::vector<FlagSpec> flags);
  // Returns false when --help was given (help already printed to stdout).
  bool parse(int argc, char** argv);
  std::string help() const;

  bool has(const std::string& name) const;
  bool flag(const std::string& name) const;  // boolean flags
  std::string str(const std::string& name, const std::string& fallback = "") const;
  std::string required(const std::string& name) const;
  std::vector<std::string> all(const std::string& name) const;  // repeatable
  long integer(const std::string& name, long fallback) const;
  double real(const std::string& name, double fallback) const;
  // Integer / real with inclusive bounds; out of range → InputError naming the flag.
  long integer(const std::string& name, long fallback, long lo, long hi) const;
  double real(const std::string& name, double fallback, double lo, double hi) const;
  // "A:B" frame range (either side may be empty: ":B", "A:"); B exclusive.
  std::pair<long, long> range(const std::string& name, long lo, long hi) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  const FlagSpec* find(const std::string& name) const;
  std::string command_, summary_;
  std::vector<FlagSpec> flags_;
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

}  // namespace rv::cli
