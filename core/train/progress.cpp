#include "train/progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

namespace rv {

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = static_cast<long>(std::lround(seconds));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%ldh%02ldm", s / 3600, (s % 3600) / 60);
  else if (s >= 60) std::snprintf(buf, sizeof buf, "%ldm%02lds", s / 60, s % 60);
  else std::snprintf(buf, sizeof buf, "%lds", s);
  return buf;
}

Progress::Progress(std::string label, long total, long start, std::ostream& out, int tty, double plain_interval_s)
    : label_(std::move(label)), total_(total), start_(start), last_done_(start), out_(out),
      plain_interval_s_(plain_interval_s) {
  if (tty < 0) {
    const int fd = (&out == &std::cout) ? STDOUT_FILENO : STDERR_FILENO;
    tty_ = isatty(fd) != 0;
  } else {
    tty_ = tty != 0;
  }
  begin_ = last_print_ = std::chrono::steady_clock::now();
}

double Progress::iterations_per_second() const {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
  return elapsed > 0 ? (last_done_ - start_) / elapsed : 0.0;
}

void Progress::update(long done, const std::string& message) {
  last_done_ = done;
  const auto now = std::chrono::steady_clock::now();
  const double since = std::chrono::duration<double>(now - last_print_).count();
  // In place: a few redraws per second are plenty; plain: one line per interval.
  if (done < total_ && since < (tty_ ? 0.2 : plain_interval_s_)) return;
  last_print_ = now;
  print(done, message, false);
}

void Progress::print(long done, const std::string& message, bool final) {
  const double rate = iterations_per_second();
  const double eta = rate > 0 ? (total_ - done) / rate : NAN;
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin_).count();
  std::ostringstream line;
  char rate_text[32];
  std::snprintf(rate_text, sizeof rate_text, "%.2f it/s", rate);
  if (tty_) {
    const int width = 24;
    const int filled = total_ > 0 ? static_cast<int>(width * static_cast<double>(done) / total_) : 0;
    line << "\r" << label_ << " [" << std::string(filled, '#') << std::string(width - filled, '.') << "] ";
  } else {
    line << label_ << " ";
  }
  line << done << "/" << total_ << " " << rate_text << " elapsed " << format_duration(elapsed);
  if (!final) line << " eta " << format_duration(eta);
  if (!message.empty()) line << " " << message;
  if (tty_) {
    line << "\033[K";  // clear what a longer previous line left
    out_ << line.str() << std::flush;
    open_line_ = true;
  } else {
    out_ << line.str() << std::endl;
  }
}

void Progress::finish(const std::string& message) {
  print(last_done_, message, true);
  if (tty_ && open_line_) out_ << "\n" << std::flush;
  open_line_ = false;
}

}  // namespace rv
