#include "results_sink.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <regex>

#include "common/error.h"

#ifdef RANKVISION_HAVE_MOSQUITTO
#include <mosquitto.h>
#endif

namespace rvgst {

namespace {

nlohmann::json value_to_json(const GValue* v);

nlohmann::json structure_to_json(const GstStructure* s) {
  nlohmann::json out = nlohmann::json::object();
  const int n = gst_structure_n_fields(s);
  for (int i = 0; i < n; ++i) {
    const char* name = gst_structure_nth_field_name(s, static_cast<guint>(i));
    out[name] = value_to_json(gst_structure_get_value(s, name));
  }
  return out;
}

nlohmann::json value_to_json(const GValue* v) {
  const GType t = G_VALUE_TYPE(v);
  if (t == G_TYPE_UINT64) {
    const guint64 x = g_value_get_uint64(v);
    return x == GST_CLOCK_TIME_NONE ? nlohmann::json(nullptr) : nlohmann::json(x);
  }
  if (t == G_TYPE_DOUBLE) {
    const double x = g_value_get_double(v);
    return std::isfinite(x) ? nlohmann::json(x) : nlohmann::json(nullptr);
  }
  if (t == G_TYPE_BOOLEAN) return static_cast<bool>(g_value_get_boolean(v));
  if (t == G_TYPE_INT) return g_value_get_int(v);
  if (t == G_TYPE_UINT) return g_value_get_uint(v);
  if (t == G_TYPE_INT64) return g_value_get_int64(v);
  if (t == G_TYPE_STRING) return g_value_get_string(v) ? g_value_get_string(v) : "";
  if (t == GST_TYPE_STRUCTURE) return structure_to_json(gst_value_get_structure(v));
  if (t == GST_TYPE_ARRAY || t == GST_TYPE_LIST) {
    nlohmann::json a = nlohmann::json::array();
    const guint n = t == GST_TYPE_ARRAY ? gst_value_array_get_size(v) : gst_value_list_get_size(v);
    for (guint i = 0; i < n; ++i)
      a.push_back(value_to_json(t == GST_TYPE_ARRAY ? gst_value_array_get_value(v, i) : gst_value_list_get_value(v, i)));
    return a;
  }
  gchar* text = gst_value_serialize(v);
  nlohmann::json out = text ? text : "";
  g_free(text);
  return out;
}

// A file (appended to) or standard output.
class FileSink : public ResultsSink {
 public:
  FileSink(const std::string& location, Warn warn) : ResultsSink(std::move(warn)), location_(location) {
    if (location == "-") {
      file_ = stdout;
    } else {
      const auto folder = std::filesystem::path(location).parent_path();
      if (!folder.empty() && !std::filesystem::is_directory(folder))
        rv::throw_input_error(location, "results-location: the folder " + folder.string() + " does not exist");
      file_ = std::fopen(location.c_str(), "a");
      if (!file_) rv::throw_input_error(location, std::string("results-location: cannot open (") + std::strerror(errno) + ")");
    }
    start_writer();
  }
  ~FileSink() override {
    close();
    if (file_ && file_ != stdout) std::fclose(file_);
  }

 protected:
  bool deliver(const std::string& line, std::string& error) override {
    errno = 0;
    const bool ok = std::fwrite(line.data(), 1, line.size(), file_) == line.size() && std::fputc('\n', file_) != EOF &&
                    std::fflush(file_) == 0;
    if (ok) return true;
    error = location_ + ": cannot write results (" + (errno ? std::strerror(errno) : "write error") + ")";
    std::clearerr(file_);
    return false;
  }

 private:
  std::string location_;
  FILE* file_ = nullptr;
};

#ifdef RANKVISION_HAVE_MOSQUITTO
// mqtt://HOST[:PORT]/TOPIC through libmosquitto: its own network thread
// connects, reconnects (1 to 5 s apart) and sends; publish only queues.
class MqttSink : public ResultsSink {
 public:
  MqttSink(const std::string& location, const std::string& host, int port, const std::string& topic, Warn warn)
      : ResultsSink(std::move(warn)), location_(location), topic_(topic) {
    static std::once_flag init;
    std::call_once(init, [] { mosquitto_lib_init(); });
    client_ = mosquitto_new(nullptr, true, nullptr);
    if (!client_) rv::throw_input_error(location, "results-location: cannot create an MQTT client");
    mosquitto_reconnect_delay_set(client_, 1, 5, false);
    // A broker that is not up yet is not an error: the network thread keeps trying.
    const int rc = mosquitto_connect_async(client_, host.c_str(), port, 30);
    if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_ERRNO) {
      mosquitto_destroy(client_);
      rv::throw_input_error(location, std::string("results-location: ") + mosquitto_strerror(rc));
    }
    if (rc == MOSQ_ERR_ERRNO) mosquitto_reconnect_async(client_);
    mosquitto_loop_start(client_);
    start_writer();
  }
  ~MqttSink() override {
    close();
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, true);
    mosquitto_destroy(client_);
  }

 protected:
  bool deliver(const std::string& line, std::string& error) override {
    const int rc = mosquitto_publish(client_, nullptr, topic_.c_str(), static_cast<int>(line.size()), line.data(), 0, false);
    if (rc == MOSQ_ERR_SUCCESS) return true;
    error = location_ + ": cannot publish results (" + mosquitto_strerror(rc) + "); lines are dropped until the broker is back";
    return false;
  }

 private:
  std::string location_, topic_;
  mosquitto* client_ = nullptr;
};
#endif

std::unique_ptr<ResultsSink> open_mqtt(const std::string& location, ResultsSink::Warn warn) {
  static const std::regex url(R"(mqtt://([^/:]+)(?::([0-9]{1,5}))?/(.+))");
  std::smatch m;
  if (!std::regex_match(location, m, url))
    rv::throw_input_error(location, "results-location: expected mqtt://HOST[:PORT]/TOPIC");
  const int port = m[2].matched ? std::stoi(m[2].str()) : 1883;
  if (port < 1 || port > 65535) rv::throw_input_error(location, "results-location: port must be 1-65535");
  const std::string topic = m[3].str();
  if (topic.find_first_of("+#") != std::string::npos)
    rv::throw_input_error(location, "results-location: a topic to publish to cannot hold the wildcards + or #");
#ifdef RANKVISION_HAVE_MOSQUITTO
  return std::make_unique<MqttSink>(location, m[1].str(), port, topic, std::move(warn));
#else
  (void)warn;
  rv::throw_input_error(location, "results-location: this build has no MQTT (install libmosquitto-dev and rebuild)");
#endif
}

}  // namespace

std::string structure_to_json_line(const GstStructure* s, const std::string& element, const std::string& model) {
  nlohmann::json j = structure_to_json(s);
  j["element"] = element;
  j["model"] = model;
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::unique_ptr<ResultsSink> ResultsSink::open(const std::string& location, Warn warn) {
  if (location.empty()) rv::throw_input_error("results-location", "empty");
  if (location.rfind("mqtt://", 0) == 0) return open_mqtt(location, std::move(warn));
  return std::make_unique<FileSink>(location, std::move(warn));
}

ResultsSink::ResultsSink(Warn warn) : warn_(std::move(warn)) {}

ResultsSink::~ResultsSink() { close(); }

void ResultsSink::start_writer() { writer_ = std::thread([this] { run(); }); }

void ResultsSink::push(std::string line) {
  {
    std::lock_guard<std::mutex> guard(lock_);
    if (closing_) return;
    if (queue_.size() >= kMaxQueued) {
      queue_.pop_front();
      ++dropped_;
    }
    queue_.push_back(std::move(line));
  }
  wake_.notify_one();
}

void ResultsSink::close() {
  {
    std::lock_guard<std::mutex> guard(lock_);
    closing_ = true;
  }
  wake_.notify_one();
  if (writer_.joinable()) writer_.join();
}

uint64_t ResultsSink::dropped() const {
  std::lock_guard<std::mutex> guard(lock_);
  return dropped_;
}

uint64_t ResultsSink::written() const {
  std::lock_guard<std::mutex> guard(lock_);
  return written_;
}

void ResultsSink::warn_once(const std::string& message) {
  if (warn_) warn_(message);
}

void ResultsSink::run() {
  std::unique_lock<std::mutex> lock(lock_);
  for (;;) {
    wake_.wait(lock, [this] { return closing_ || !queue_.empty(); });
    if (queue_.empty()) break;  // closing, and everything was written
    std::string line = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    std::string error;
    const bool ok = deliver(line, error);
    lock.lock();
    if (ok) {
      ++written_;
      failing_ = false;
      continue;
    }
    ++dropped_;
    if (!failing_) {  // once per failure streak, outside the lock
      failing_ = true;
      lock.unlock();
      warn_once(error);
      lock.lock();
    }
  }
}

}  // namespace rvgst
