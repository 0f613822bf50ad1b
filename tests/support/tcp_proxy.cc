// See tcp_proxy.h.
#include "support/tcp_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>

namespace migrate::testing {
namespace {

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

bool SendAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

TcpProxy::TcpProxy(const std::string& target_url) {
  size_t at = target_url.rfind('@');
  size_t colon = target_url.find(':', at == std::string::npos ? 0 : at);
  size_t slash = target_url.find('/', colon);
  if (colon == std::string::npos || slash == std::string::npos) {
    throw std::runtime_error("TcpProxy: no port in the URL");
  }
  target_port_ = std::stoi(target_url.substr(colon + 1, slash - colon - 1));
  listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
      ::listen(listener_, 64) != 0 ||
      ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("TcpProxy: cannot listen on a loopback port");
  }
  port_ = ntohs(addr.sin_port);
  url_ = target_url.substr(0, colon + 1) + std::to_string(port_) + target_url.substr(slash);
  acceptor_ = std::thread([this] { Accept(); });
}

TcpProxy::~TcpProxy() {
  stop_ = true;
  ::shutdown(listener_, SHUT_RDWR);
  ::close(listener_);
  acceptor_.join();
  for (std::thread& relay : relays_) relay.join();
}

void TcpProxy::CutAfter(const std::string& marker, const std::string& needle, bool forward) {
  std::lock_guard<std::mutex> lock(mutex_);
  marker_ = marker;
  needle_ = needle;
  forward_ = forward;
  pending_ = true;
}

void TcpProxy::Accept() {
  while (!stop_) {
    pollfd p{listener_, POLLIN, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    int client = ::accept(listener_, nullptr, nullptr);
    if (client < 0) continue;
    relays_.emplace_back([this, client] { Relay(client); });
  }
}

bool TcpProxy::Cuts(const std::string& packet, bool& armed, bool& forward) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (!pending_) return false;
  size_t from = 0;
  if (!armed) {
    size_t m = packet.find(marker_);
    if (m == std::string::npos) return false;
    armed = true;
    from = m + marker_.size();
  }
  if (packet.find(needle_, from) == std::string::npos) return false;
  pending_ = false;
  forward = forward_;
  ++cuts_;
  return true;
}

void TcpProxy::Relay(int client) {
  int server = Connect(target_port_);
  bool armed = false;
  bool server_spoke = true;  // the client's first send waits for the server too
  char buffer[65536];
  while (server >= 0 && !stop_) {
    pollfd p[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (::poll(p, 2, 100) <= 0) continue;
    if (p[1].revents != 0) {
      ssize_t n = ::recv(server, buffer, sizeof buffer, 0);
      if (n <= 0 || !SendAll(client, buffer, static_cast<size_t>(n))) break;
      server_spoke = true;
    }
    if (p[0].revents != 0) {
      ssize_t n = ::recv(client, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      if (server_spoke) ++round_trips_;
      server_spoke = false;
      bool forward = true;
      if (Cuts(std::string(buffer, static_cast<size_t>(n)), armed, forward)) {
        if (forward) {
          SendAll(server, buffer, static_cast<size_t>(n));
          // Let the server act on it before it sees the client vanish.
          std::this_thread::sleep_for(std::chrono::milliseconds(300));
        }
        break;
      }
      if (!SendAll(server, buffer, static_cast<size_t>(n))) break;
    }
  }
  if (server >= 0) ::close(server);
  ::shutdown(client, SHUT_RDWR);
  ::close(client);
}

}  // namespace migrate::testing
