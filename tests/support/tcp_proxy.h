// A TCP proxy on 127.0.0.1 in front of the test PostgreSQL server, for faults of the network
// between migrate and its database: it relays every byte both ways until told to cut the
// connection when the client sends a given text (a COMMIT, say), before or after passing it
// on. The server then sees a client that vanished, the client a connection that broke.
#ifndef MIGRATE_TESTS_SUPPORT_TCP_PROXY_H_
#define MIGRATE_TESTS_SUPPORT_TCP_PROXY_H_

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace migrate::testing {

class TcpProxy {
 public:
  // Listens on an ephemeral loopback port and relays to the port of `target_url`
  // (postgres://user:pw@127.0.0.1:PORT/db) on 127.0.0.1.
  explicit TcpProxy(const std::string& target_url);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // The target URL with its port replaced by the proxy's.
  const std::string& url() const { return url_; }

  // Once the client has sent `marker`, the next client packet containing `needle` cuts the
  // connection: forwarded to the server first when `forward` is true (the server acts on it,
  // its answer never reaches the client), dropped otherwise. Applies to one cut.
  void CutAfter(const std::string& marker, const std::string& needle, bool forward);

  // How many connections were cut so far.
  int cuts() const { return cuts_.load(); }

  // Round trips so far, over all connections: each time a client sends after the server
  // last spoke (its first send included), it waits for the server once more.
  int round_trips() const { return round_trips_.load(); }

 private:
  void Accept();
  void Relay(int client);
  // Whether this client packet ends the connection, and whether it goes to the server first.
  bool Cuts(const std::string& packet, bool& armed, bool& forward);

  int target_port_ = 0;
  std::string url_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> cuts_{0};
  std::atomic<int> round_trips_{0};
  std::mutex mutex_;
  std::string marker_, needle_;
  bool forward_ = false;
  bool pending_ = false;
  std::thread acceptor_;
  std::vector<std::thread> relays_;
};

}  // namespace migrate::testing

#endif  // MIGRATE_TESTS_SUPPORT_TCP_PROXY_H_
