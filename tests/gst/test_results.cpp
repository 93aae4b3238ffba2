// results-location (issue 16): per-frame JSON lines to a file, and to a real
// MQTT broker (mosquitto on a free localhost port) across a broker restart.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <functional>
#include <chrono>
#include <cmath>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "test_support.h"

#ifdef RANKVISION_HAVE_MOSQUITTO
#include <mosquitto.h>
#endif

namespace {

class ResultsTest : public rvtest::ElementTest<96, 72> {
 protected:
  static void SetUpTestSuite() {
    ElementTest::SetUpTestSuite();
    model_ = rvtest::write_count_model(*dir_, "count.rvm", 1);
    quality_ = rvtest::write_quality_model(*dir_, "quality.rvm", 3);
  }
  GstHarness* harness(const std::string& factory, const std::string& model, const std::string& props) {
    return element_harness(factory, model, "on-busy=wait " + props);
  }
  void push_frames(GstHarness* h, int first, int n) {
    for (int i = first; i < first + n; ++i) {
      GstBuffer* out = rvtest::push_and_pull(h, picture_, static_cast<GstClockTime>(i) * GST_SECOND / 30);
      ASSERT_NE(out, nullptr);
      gst_buffer_unref(out);
    }
  }

  static inline std::string model_, quality_;
};


std::vector<nlohmann::json> read_lines(const std::string& path) {
  std::vector<nlohmann::json> out;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(nlohmann::json::parse(line));
  return out;
}

TEST_F(ResultsTest, JsonLinesFileHoldsOneObjectPerFrame) {
  const std::string path = dir_->path("counts.jsonl");
  GstHarness* h = harness("crowdcount", model_, "results-location=" + path + " zones=left:0,0,48,72;right:48,0,48,72");
  push_frames(h, 0, 5);
  gst_harness_teardown(h);  // stop: what is queued is written
  const double expected = engine_count(model_);
  const auto lines = read_lines(path);
  ASSERT_EQ(lines.size(), 5u);
  for (size_t i = 0; i < lines.size(); ++i) {
    const auto& j = lines[i];
    EXPECT_EQ(j["frame-number"].get<uint64_t>(), i);
    EXPECT_EQ(j["timestamp"].get<uint64_t>(), i * GST_SECOND / 30);
    EXPECT_NEAR(j["count"].get<double>(), expected, 1e-3 * std::abs(expected));
    EXPECT_FALSE(j["stale"].get<bool>());
    EXPECT_EQ(j["model"].get<std::string>(), model_);
    EXPECT_EQ(j["zones"].size(), 2u);
    EXPECT_EQ(j["zones"][0]["id"].get<std::string>(), "left");
    EXPECT_EQ(j["zones"][1]["id"].get<std::string>(), "right");
    EXPECT_TRUE(j["zones"][0]["count"].is_number() && j["zones"][1]["count"].is_number()) << j.dump();
  }
  // A second run appends.
  h = harness("iqascore", quality_, "results-location=" + path + " post-messages=false");
  push_frames(h, 0, 2);
  gst_harness_teardown(h);
  const auto all = read_lines(path);
  ASSERT_EQ(all.size(), 7u);
  EXPECT_TRUE(all.back().contains("score"));
  EXPECT_FALSE(all.back().contains("count"));
}

TEST_F(ResultsTest, AFullDiskPostsOneWarningAndFramesKeepFlowing) {
  if (access("/dev/full", W_OK) != 0) GTEST_SKIP() << "needs /dev/full";
  GstHarness* h = harness("crowdcount", model_, "results-location=/dev/full");
  rvtest::BusWatch bus(h->element);
  push_frames(h, 0, 20);  // every write fails with ENOSPC; streaming goes on
  GstMessage* w = bus.wait_for("warning", 10.0);
  ASSERT_NE(w, nullptr);
  GError* error = nullptr;
  gst_message_parse_warning(w, &error, nullptr);
  const std::string text = error->message;
  g_error_free(error);
  EXPECT_NE(text.find("/dev/full"), std::string::npos) << text;
  EXPECT_NE(text.find("No space left"), std::string::npos) << text;
  EXPECT_EQ(bus.wait_for("warning", 0.5), nullptr) << "one warning per failure streak, not one per frame";
  EXPECT_EQ(bus.element_messages("crowdcount").size(), 20u);
  gst_harness_teardown(h);
}

TEST_F(ResultsTest, UnusableLocationFailsTheStartWithTheReason) {
  for (const std::string& bad : {dir_->path("no/such/folder/r.jsonl"), std::string("mqtt://host-without-topic"),
                                 std::string("mqtt://localhost:1883/a/#")}) {
    auto f = rvtest::start_failure("crowdcount", "model-file=" + model_ + " results-location=" + bad);
    EXPECT_TRUE(f.failed) << bad;
    EXPECT_NE(f.message.find(bad), std::string::npos) << f.message;
  }
}

#ifdef RANKVISION_HAVE_MOSQUITTO

int free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  socklen_t len = sizeof(a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

// A mosquitto broker on localhost:port, for the life of the object.
class Broker {
 public:
  explicit Broker(int port) : port_(port) { start(); }
  ~Broker() { stop(); }
  void start() {
    pid_ = fork();
    if (pid_ == 0) {
      const std::string p = std::to_string(port_);
      freopen("/dev/null", "w", stdout);
      freopen("/dev/null", "w", stderr);
      execl("/usr/sbin/mosquitto", "mosquitto", "-p", p.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    wait_listening();
  }
  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }

 private:
  void wait_listening() {
    for (int i = 0; i < 100; ++i) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(port_));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      const bool up = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0;
      close(fd);
      if (up) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  int port_;
  pid_t pid_ = -1;
};

// Subscribes to `topic` (again after every reconnect) and keeps what arrives.
class Subscriber {
 public:
  Subscriber(int port, const std::string& topic) : topic_(topic) {
    mosquitto_lib_init();
    client_ = mosquitto_new(nullptr, true, this);
    mosquitto_connect_callback_set(client_, [](mosquitto* m, void* self, int rc) {
      if (rc == 0) mosquitto_subscribe(m, nullptr, static_cast<Subscriber*>(self)->topic_.c_str(), 0);
      static_cast<Subscriber*>(self)->subscribed_ = rc == 0;
    });
    mosquitto_message_callback_set(client_, [](mosquitto*, void* self, const mosquitto_message* msg) {
      auto* s = static_cast<Subscriber*>(self);
      std::lock_guard<std::mutex> guard(s->lock_);
      s->messages_.emplace_back(static_cast<const char*>(msg->payload), static_cast<size_t>(msg->payloadlen));
    });
    mosquitto_reconnect_delay_set(client_, 1, 1, false);
    mosquitto_connect(client_, "127.0.0.1", port, 30);
    mosquitto_loop_start(client_);
  }
  ~Subscriber() {
    mosquitto_disconnect(client_);
    mosquitto_loop_stop(client_, true);
    mosquitto_destroy(client_);
  }
  std::vector<std::string> messages() {
    std::lock_guard<std::mutex> guard(lock_);
    return messages_;
  }
  std::atomic<bool> subscribed_{false};

 private:
  std::string topic_;
  mosquitto* client_ = nullptr;
  std::mutex lock_;
  std::vector<std::string> messages_;
};

bool wait_until(const std::function<bool()>& done, double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

TEST_F(ResultsTest, MqttPublishesEachFrameAndReconnectsAfterABrokerRestart) {
  if (access("/usr/sbin/mosquitto", X_OK) != 0) GTEST_SKIP() << "needs the mosquitto broker (Debian mosquitto)";
  const int port = free_port();
  Broker broker(port);
  Subscriber sub(port, "cams/door");
  ASSERT_TRUE(wait_until([&] { return sub.subscribed_.load(); }, 10));
  GstHarness* h = harness("crowdcount", model_, "results-location=mqtt://127.0.0.1:" + std::to_string(port) + "/cams/door");
  // Frames until the element's client is connected and the first line arrives.
  int next = 0;
  ASSERT_TRUE(wait_until([&] { push_frames(h, next++, 1); return !sub.messages().empty(); }, 15));
  push_frames(h, next, 5);
  next += 5;
  ASSERT_TRUE(wait_until([&] { return sub.messages().size() >= 5; }, 10));
  for (const auto& m : sub.messages()) {
    const auto j = nlohmann::json::parse(m);
    EXPECT_TRUE(j.contains("count") && j.contains("frame-number") && j.contains("timestamp")) << m;
  }
  // The broker goes away: frames keep flowing (nothing blocks) ...
  broker.stop();
  sub.subscribed_ = false;
  push_frames(h, next, 10);
  next += 10;
  // ... and when it is back, both clients reconnect and lines arrive again.
  broker.start();
  ASSERT_TRUE(wait_until([&] { return sub.subscribed_.load(); }, 15)) << "the subscriber did not reconnect";
  const size_t before = sub.messages().size();
  ASSERT_TRUE(wait_until([&] { push_frames(h, next++, 1); return sub.messages().size() > before; }, 20))
      << "no line arrived after the broker restart";
  const auto last = nlohmann::json::parse(sub.messages().back());
  EXPECT_GE(last["frame-number"].get<int>(), 16);
  gst_harness_teardown(h);
}

#endif

}  // namespace
