#pragma once
// Per-frame results as JSON lines (the `results-location` property of both
// elements): one JSON object per processed frame, written to a file, to
// standard output ("-"), or published to an MQTT topic
// ("mqtt://HOST[:PORT]/TOPIC", through libmosquitto).
//
// The streaming thread only queues a line; a writer thread of the sink writes
// it. The queue is bounded: when the destination cannot keep up, the oldest
// lines are dropped and counted, and streaming never waits. A write error is
// reported once through `warn` (the element posts it as a warning) and writing
// goes on; an MQTT sink reconnects by itself when the broker comes back.
//
// The fields of a line are those of the element's bus message (README, "JSON
// lines"), plus "element" (the element's name) and "model" (its model file).
#include <gst/gst.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace rvgst {

// The JSON form of a per-frame message structure: numbers, booleans, strings,
// and arrays of structures as arrays of objects. A timestamp of
// GST_CLOCK_TIME_NONE (an unknown time) and a NaN become null.
std::string structure_to_json_line(const GstStructure* s, const std::string& element, const std::string& model);

class ResultsSink {
 public:
  using Warn = std::function<void(const std::string&)>;
  // Opens `location`: "-", a file path (appended to; the folder must exist) or
  // mqtt://HOST[:PORT]/TOPIC. Throws rv::InputError naming the location and
  // the reason when it cannot work (no such folder, a malformed URL, MQTT not
  // built in). Connecting to a broker happens in the background.
  static std::unique_ptr<ResultsSink> open(const std::string& location, Warn warn);

  virtual ~ResultsSink();
  ResultsSink(const ResultsSink&) = delete;
  ResultsSink& operator=(const ResultsSink&) = delete;

  // Queues one line (without its newline). Never blocks on the destination.
  void push(std::string line);
  // Writes what is queued and stops the writer thread (called before destruction).
  void close();
  uint64_t dropped() const;
  uint64_t written() const;

  static constexpr size_t kMaxQueued = 4096;

 protected:
  explicit ResultsSink(Warn warn);
  void start_writer();
  // Writer thread: deliver one line; false on failure (warned once per failure streak).
  virtual bool deliver(const std::string& line, std::string& error) = 0;
  virtual void finish() {}
  void warn_once(const std::string& message);

 private:
  void run();

  Warn warn_;
  mutable std::mutex lock_;
  std::condition_variable wake_;
  std::deque<std::string> queue_;
  bool closing_ = false, failing_ = false;
  uint64_t dropped_ = 0, written_ = 0;
  std::thread writer_;
};

}  // namespace rvgst
