#pragma once
// Progress of a long loop: on a terminal one line rewritten in place (bar,
// iterations, it/s, ETA, a short message); otherwise plain lines at most every
// `plain_interval_s` seconds, so logs of batch jobs stay readable.
#include <chrono>
#include <iosfwd>
#include <string>

namespace rv {

class Progress {
 public:
  // total: iterations of the whole run; start: where it begins (after a resume).
  // tty: -1 = detect on the stream (stderr/stdout), 0 = plain lines, 1 = in place.
  Progress(std::string label, long total, long start, std::ostream& out, int tty = -1,
           double plain_interval_s = 10.0);
  // Call after iteration `done` (1-based count of finished iterations).
  void update(long done, const std::string& message);
  // Ends the in-place line (prints a newline) and a summary line.
  void finish(const std::string& message = "");
  double iterations_per_second() const;

 private:
  void print(long done, const std::string& message, bool final);
  std::string label_;
  long total_, start_, last_done_;
  std::ostream& out_;
  bool tty_;
  double plain_interval_s_;
  std::chrono::steady_clock::time_point begin_, last_print_;
  bool open_line_ = false;
};

// "1h02m", "3m05s", "12s".
std::string format_duration(double seconds);

}  // namespace rv
