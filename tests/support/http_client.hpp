#pragma once
// Test helper: one HTTP/1.1 exchange over loopback TCP, and a free port to listen on.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>

namespace pcm::test {

struct HttpReply {
    int status = 0;  ///< 0: no reply (connection failed or closed without one)
    std::string head, body;
};

inline int connect_loopback(int port) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

/// Reads until the peer closes (or `limit` passes) and splits the reply.
inline HttpReply read_reply(int fd, std::chrono::milliseconds limit = std::chrono::seconds(10)) {
    std::string raw;
    char buffer[65536];
    auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        pollfd p{fd, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1) break;
        ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
        if (n <= 0) break;
        raw.append(buffer, static_cast<std::size_t>(n));
    }
    HttpReply reply;
    std::size_t end = raw.find("\r\n\r\n");
    if (raw.starts_with("HTTP/1.") && end != std::string::npos) {
        reply.status = std::stoi(raw.substr(9, 3));
        reply.head = raw.substr(0, end);
        reply.body = raw.substr(end + 4);
    }
    return reply;
}

/// Sends `request` verbatim and returns the reply.
inline HttpReply exchange(int port, const std::string& request) {
    int fd = connect_loopback(port);
    if (fd < 0) return {};
    ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    HttpReply r = read_reply(fd);
    ::close(fd);
    return r;
}

/// HTTP/1.0, so that servers send the body as is, until they close (no chunked encoding).
inline HttpReply http_get(int port, const std::string& path, const std::string& extra_headers = "") {
    return exchange(port, "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n" + extra_headers + "\r\n");
}

/// A TCP port nobody listens on right now.
inline int free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

}  // namespace pcm::test
