#include "http/socket_http_client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <climits>
#include <cstring>
#include <string>
#include <string_view>

#include "http/url_parts.h"

namespace tw::http {
namespace {

using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr size_t kReadChunk = 64 * 1024;
constexpr size_t kMaxHead = 64 * 1024;      // status line and headers of one response
constexpr size_t kMaxChunkLine = 4 * 1024;  // a chunk-size line (extensions included)

Error Unavailable(std::string what) { return Error{ErrorCode::kUnavailable, std::move(what)}; }

std::string ErrnoText(int err) { return std::string(std::strerror(err)); }

// When an exchange must be over, and the flag that ends it early.
struct Deadline {
  SteadyClock::time_point at;
  const std::atomic<bool>* cancel = nullptr;
};

// Waits until `fd` is ready for `events` (POLLIN / POLLOUT), checking the cancel flag at least
// every 100 ms. An error or hang-up on the socket counts as ready: the next call reports it.
Result<void> Wait(int fd, short events, const Deadline& d) {
  while (true) {
    if (d.cancel != nullptr && d.cancel->load()) return tl::unexpected(Unavailable("cancelled"));
    const auto now = SteadyClock::now();
    if (now >= d.at) return tl::unexpected(Unavailable("timed out"));
    auto left = std::chrono::ceil<milliseconds>(d.at - now);
    if (d.cancel != nullptr) left = std::min(left, milliseconds(100));
    pollfd p{fd, events, 0};
    const int r = ::poll(&p, 1, static_cast<int>(std::min<long long>(left.count(), INT_MAX)));
    if (r > 0) return Ok();
    if (r < 0 && errno != EINTR) return tl::unexpected(Unavailable("poll: " + ErrnoText(errno)));
  }
}

std::string TlsErrorText(SSL* ssl) {
  const long verify = ssl != nullptr ? SSL_get_verify_result(ssl) : X509_V_OK;
  if (verify != X509_V_OK) {
    return std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
  }
  const unsigned long err = ERR_peek_last_error();
  if (err == 0) return "TLS failure";
  char text[256];
  ERR_error_string_n(err, text, sizeof text);
  return std::string("TLS: ") + text;
}

bool HasControl(std::string_view s) {
  return s.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Whether the comma-separated header value `list` holds `token` (ASCII case-insensitive).
bool HasToken(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    if (EqualsIgnoreCase(Trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

// The last coding of a Transfer-Encoding value.
bool EndsWithChunked(std::string_view list) {
  const size_t comma = list.rfind(',');
  return EqualsIgnoreCase(Trim(comma == std::string_view::npos ? list : list.substr(comma + 1)),
                          "chunked");
}

}  // namespace

// One TCP connection, with its TLS session for https. TLS runs over two memory BIOs and this
// class moves the records between them and the socket itself, so that every wait is a poll()
// bounded by the deadline and every write is a send() with MSG_NOSIGNAL (a socket BIO would
// write(), and a peer that has gone away would raise SIGPIPE).
class SocketHttpClient::Connection {
 public:
  Connection(int fd, std::string origin) : fd_(fd), origin_(std::move(origin)) {}
  ~Connection() {
    if (ssl_ != nullptr) SSL_free(ssl_);  // frees both BIOs
    if (fd_ >= 0) ::close(fd_);
  }
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  const std::string& origin() const { return origin_; }
  // Whether any byte of a response has arrived since ResetReceived.
  bool received() const { return received_; }
  void ResetReceived() { received_ = false; }

  // Starts TLS and verifies the peer as `host` (a name, or an IP address literal).
  Result<void> StartTls(SSL_CTX* ctx, const std::string& host, const Deadline& d) {
    ssl_ = SSL_new(ctx);
    BIO* in = BIO_new(BIO_s_mem());
    BIO* out = BIO_new(BIO_s_mem());
    if (ssl_ == nullptr || in == nullptr || out == nullptr) {
      BIO_free(in);
      BIO_free(out);
      return tl::unexpected(Unavailable("TLS: out of memory"));
    }
    SSL_set_bio(ssl_, in, out);
    in_ = in;
    out_ = out;
    SSL_set_connect_state(ssl_);
    in6_addr ip6;
    in_addr ip4;
    const bool literal = ::inet_pton(AF_INET, host.c_str(), &ip4) == 1 ||
                         ::inet_pton(AF_INET6, host.c_str(), &ip6) == 1;
    if (literal) {
      if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str()) != 1) {
        return tl::unexpected(Unavailable("TLS: cannot verify address " + host));
      }
    } else {
      if (SSL_set_tlsext_host_name(ssl_, host.c_str()) != 1 ||
          SSL_set1_host(ssl_, host.c_str()) != 1) {
        return tl::unexpected(Unavailable("TLS: cannot verify host name"));
      }
    }
    auto done = Drive([this] { return SSL_do_handshake(ssl_); }, d, /*reading=*/false);
    if (!done) return tl::unexpected(done.error());
    if (*done <= 0)
      return tl::unexpected(Unavailable("connection closed during the TLS handshake"));
    return Ok();
  }

  Result<void> WriteAll(std::string_view data, const Deadline& d) {
    if (ssl_ == nullptr) return SendRaw(data, d);
    while (!data.empty()) {
      const int n = static_cast<int>(std::min<size_t>(data.size(), 1 << 20));
      auto wrote = Drive([&] { return SSL_write(ssl_, data.data(), n); }, d, /*reading=*/false);
      if (!wrote) return tl::unexpected(wrote.error());
      if (*wrote <= 0) return tl::unexpected(Unavailable("connection closed"));
      data.remove_prefix(static_cast<size_t>(*wrote));
    }
    return Ok();
  }

  // Appends what arrives next (at most kReadChunk bytes) to `buf`; false at the end of the
  // stream.
  Result<bool> ReadMore(std::string& buf, const Deadline& d) {
    const size_t old = buf.size();
    buf.resize(old + kReadChunk);
    auto got =
        ssl_ == nullptr
            ? RecvRaw(buf.data() + old, kReadChunk, d)
            : Drive([&] { return SSL_read(ssl_, buf.data() + old, static_cast<int>(kReadChunk)); },
                    d, /*reading=*/true);
    buf.resize(old + (got && *got > 0 ? static_cast<size_t>(*got) : 0));
    if (!got) return tl::unexpected(got.error());
    if (*got > 0) received_ = true;
    return *got > 0;
  }

 private:
  Result<void> SendRaw(std::string_view data, const Deadline& d) {
    while (!data.empty()) {
      const ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n >= 0) {
        data.remove_prefix(static_cast<size_t>(n));
      } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (auto w = Wait(fd_, POLLOUT, d); !w) return w;
      } else if (errno != EINTR) {
        return tl::unexpected(Unavailable("send: " + ErrnoText(errno)));
      }
    }
    return Ok();
  }

  // Bytes read, 0 at the end of the stream.
  Result<int> RecvRaw(char* buf, size_t n, const Deadline& d) {
    while (true) {
      const ssize_t got = ::recv(fd_, buf, n, 0);
      if (got >= 0) return static_cast<int>(got);
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        if (auto w = Wait(fd_, POLLIN, d); !w) return tl::unexpected(w.error());
      } else if (errno != EINTR) {
        return tl::unexpected(Unavailable("recv: " + ErrnoText(errno)));
      }
    }
  }

  // Sends what the TLS engine has written to its output BIO.
  Result<void> Flush(const Deadline& d) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(out_, &data);
    if (n <= 0) return Ok();
    auto sent = SendRaw(std::string_view(data, static_cast<size_t>(n)), d);
    (void)BIO_reset(out_);
    return sent;
  }

  // Runs the TLS operation `op` (SSL_do_handshake, SSL_read or SSL_write) to completion,
  // feeding the engine from the socket when it wants to read and sending what it writes.
  // Returns op's positive result, or 0 at the end of the stream (a read's clean end; any other
  // operation's lost connection).
  template <class Op>
  Result<int> Drive(Op op, const Deadline& d, bool reading) {
    while (true) {
      ERR_clear_error();
      const int r = op();
      const int err = r > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_, r);
      if (auto f = Flush(d); !f) return tl::unexpected(f.error());
      switch (err) {
        case SSL_ERROR_NONE:
          return r;
        case SSL_ERROR_ZERO_RETURN:
          return 0;
        case SSL_ERROR_WANT_WRITE:  // a memory BIO takes everything: flushed above
          continue;
        case SSL_ERROR_WANT_READ: {
          char buf[16 * 1024];
          auto got = RecvRaw(buf, sizeof buf, d);
          if (!got) return tl::unexpected(got.error());
          if (*got == 0) {
            if (reading) return 0;
            return tl::unexpected(Unavailable("connection closed during TLS"));
          }
          if (BIO_write(in_, buf, *got) != *got) {
            return tl::unexpected(Unavailable("TLS: out of memory"));
          }
          continue;
        }
        default:
          return tl::unexpected(Unavailable(TlsErrorText(ssl_)));
      }
    }
  }

  int fd_;
  std::string origin_;
  SSL* ssl_ = nullptr;
  BIO* in_ = nullptr;   // owned by ssl_: records from the peer
  BIO* out_ = nullptr;  // owned by ssl_: records for the peer
  bool received_ = false;
};

namespace {

using Connection = SocketHttpClient::Connection;

// A TCP connection to `url`'s host and port, trying each resolved address in turn.
Result<std::unique_ptr<Connection>> Connect(const UrlParts& url, const Deadline& connect_by) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICSERV;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (const int rc = ::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found); rc != 0) {
    return tl::unexpected(Unavailable("cannot resolve host " + url.host + ": " + gai_strerror(rc)));
  }
  std::string last = "no address";
  int fd = -1;
  for (addrinfo* ai = found; ai != nullptr && fd < 0; ai = ai->ai_next) {
    fd = ::socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      last = "socket: " + ErrnoText(errno);
      continue;
    }
    int err = 0;
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
      err = errno;
      if (err == EINPROGRESS) {
        if (auto w = Wait(fd, POLLOUT, connect_by); !w) {
          ::close(fd);
          fd = -1;
          ::freeaddrinfo(found);
          return tl::unexpected(Error{w.error().code, "connect: " + w.error().message});
        }
        socklen_t len = sizeof err;
        if (::getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
      }
    }
    if (err != 0) {
      last = "connect: " + ErrnoText(err);
      ::close(fd);
      fd = -1;
    }
  }
  ::freeaddrinfo(found);
  if (fd < 0) return tl::unexpected(Unavailable(last));
  const int one = 1;
  (void)::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return std::make_unique<Connection>(fd, url.origin);
}

// Reads one response from a connection: a buffer of what has arrived and a read position.
class ResponseReader {
 public:
  ResponseReader(Connection& c, const Deadline& d, size_t max_body)
      : c_(c), d_(d), max_body_(max_body) {}

  // Reads the status line and headers into `out`; 1xx interim responses are skipped.
  // Sets `keep_alive` to whether the connection can carry another request afterwards.
  Result<void> Head(Response& out, bool& keep_alive, bool& chunked, long long& length) {
    while (true) {
      size_t end;
      while ((end = buf_.find("\r\n\r\n", pos_)) == std::string::npos) {
        if (buf_.size() - pos_ > kMaxHead) return Bad("response headers too large");
        auto more = More();
        if (!more) return tl::unexpected(more.error());
        if (!*more) {
          return tl::unexpected(Unavailable(c_.received() ? "connection closed mid-response"
                                                          : "connection closed before a response"));
        }
      }
      std::string_view head(buf_.data() + pos_, end - pos_);
      pos_ = end + 4;
      const size_t eol = head.find("\r\n");
      const std::string_view status_line = head.substr(0, eol);
      // HTTP-version SP 3DIGIT [SP reason] (RFC 9112, 4)
      if (status_line.size() < 12 || !status_line.starts_with("HTTP/1.") ||
          (status_line[8] != ' ') || !std::isdigit(static_cast<unsigned char>(status_line[9])) ||
          !std::isdigit(static_cast<unsigned char>(status_line[10])) ||
          !std::isdigit(static_cast<unsigned char>(status_line[11])) ||
          (status_line.size() > 12 && status_line[12] != ' ')) {
        return Bad("malformed status line");
      }
      const bool http10 = status_line[7] == '0';
      out.status =
          (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
      out.headers.clear();
      std::string_view rest = eol == std::string_view::npos ? "" : head.substr(eol + 2);
      while (!rest.empty()) {
        const size_t next = rest.find("\r\n");
        const std::string_view line = rest.substr(0, next);
        rest = next == std::string_view::npos ? "" : rest.substr(next + 2);
        const size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0 || line.front() == ' ' ||
            line.front() == '\t') {
          return Bad("malformed header line");  // obsolete line folding included (RFC 9112, 5.2)
        }
        out.headers.push_back(
            {std::string(line.substr(0, colon)), std::string(Trim(line.substr(colon + 1)))});
      }
      if (out.status >= 100 && out.status < 200) continue;  // 100 Continue and the like

      keep_alive = !http10;
      chunked = false;
      length = -1;
      for (const Header& h : out.headers) {
        if (EqualsIgnoreCase(h.name, "Connection")) {
          if (HasToken(h.value, "close")) keep_alive = false;
          if (http10 && HasToken(h.value, "keep-alive")) keep_alive = true;
        } else if (EqualsIgnoreCase(h.name, "Transfer-Encoding")) {
          chunked = EndsWithChunked(h.value);
          if (!chunked) keep_alive = false;  // delimited by the close (RFC 9112, 6.3)
        } else if (EqualsIgnoreCase(h.name, "Content-Length")) {
          const std::string_view v = h.value;
          if (v.empty() || v.size() > 18 ||
              v.find_first_not_of("0123456789") != std::string_view::npos) {
            return Bad("malformed Content-Length");
          }
          const long long n = std::stoll(h.value);
          if (length >= 0 && length != n) return Bad("conflicting Content-Length");
          length = n;
        }
      }
      if (out.status == 204 || out.status == 304) {
        chunked = false;
        length = 0;
      } else if (chunked) {
        length = -1;  // Transfer-Encoding wins over Content-Length (RFC 9112, 6.3)
      } else if (length < 0) {
        keep_alive = false;  // read to the end of the stream
      }
      return Ok();
    }
  }

  Result<void> Body(Response& out, bool chunked, long long length) {
    if (chunked) return Chunked(out);
    if (length >= 0) {
      // One allocation for the body (a Runtime API event is up to 6 MB), not a doubling series.
      out.body.reserve(std::min(static_cast<size_t>(length), max_body_));
      return Exactly(out, static_cast<size_t>(length));
    }
    while (true) {  // to the end of the stream
      Take(out, buf_.size() - pos_);
      auto more = More();
      if (!more) return tl::unexpected(more.error());
      if (!*more) return Ok();
    }
  }

  // Whether bytes beyond the response arrived (the server sent more than it framed): such a
  // connection is not reused.
  bool leftover() const { return pos_ != buf_.size(); }

 private:
  Error BadError(const char* what) {
    return Unavailable(std::string("malformed response: ") + what);
  }
  tl::unexpected<Error> Bad(const char* what) { return tl::unexpected(BadError(what)); }

  // Reads more into the buffer (dropping what has been consumed); false at the end of stream.
  Result<bool> More() {
    if (pos_ == buf_.size()) {
      buf_.clear();
      pos_ = 0;
    } else if (pos_ >= kReadChunk) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    return c_.ReadMore(buf_, d_);
  }

  // Moves n buffered bytes into the body, up to max_body_bytes; the rest are dropped.
  void Take(Response& out, size_t n) {
    const size_t room = max_body_ - std::min(max_body_, out.body.size());
    out.body.append(buf_, pos_, std::min(n, room));
    if (n > room) out.body_truncated = true;
    pos_ += n;
  }

  Result<void> Exactly(Response& out, size_t n) {
    while (n > 0) {
      if (pos_ == buf_.size()) {
        auto more = More();
        if (!more) return tl::unexpected(more.error());
        if (!*more) return tl::unexpected(Unavailable("connection closed mid-body"));
      }
      const size_t k = std::min(n, buf_.size() - pos_);
      Take(out, k);
      n -= k;
    }
    return Ok();
  }

  Result<std::string_view> Line() {
    size_t eol;
    while ((eol = buf_.find("\r\n", pos_)) == std::string::npos) {
      if (buf_.size() - pos_ > kMaxChunkLine) return Bad("chunk line too long");
      auto more = More();
      if (!more) return tl::unexpected(more.error());
      if (!*more) return tl::unexpected(Unavailable("connection closed mid-body"));
    }
    const std::string_view line(buf_.data() + pos_, eol - pos_);
    pos_ = eol + 2;
    return line;
  }

  // chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF; last-chunk; trailer lines; CRLF
  // (RFC 9112, 7.1).
  Result<void> Chunked(Response& out) {
    while (true) {
      auto line = Line();
      if (!line) return tl::unexpected(line.error());
      std::string_view size_text = Trim(line->substr(0, line->find(';')));
      if (size_text.empty() || size_text.size() > 15 ||
          size_text.find_first_not_of("0123456789abcdefABCDEF") != std::string_view::npos) {
        return Bad("malformed chunk size");
      }
      const size_t size = std::stoull(std::string(size_text), nullptr, 16);
      if (size == 0) break;
      if (auto r = Exactly(out, size); !r) return r;
      auto end = Line();
      if (!end) return tl::unexpected(end.error());
      if (!end->empty()) return Bad("chunk not followed by CRLF");
    }
    while (true) {  // trailer fields, up to the empty line
      auto trailer = Line();
      if (!trailer) return tl::unexpected(trailer.error());
      if (trailer->empty()) return Ok();
    }
  }

  Connection& c_;
  const Deadline& d_;
  size_t max_body_;
  std::string buf_;
  size_t pos_ = 0;
};

std::string HostHeader(const UrlParts& url) {
  std::string host = url.ipv6 ? "[" + url.host + "]" : url.host;
  if (url.port != (url.tls ? 443 : 80)) host += ":" + std::to_string(url.port);
  return host;
}

}  // namespace

Result<std::unique_ptr<SocketHttpClient>> SocketHttpClient::Create(ClientOptions options) {
  if (options.connect_timeout.count() <= 0 || options.total_timeout.count() <= 0) {
    return Fail(ErrorCode::kInvalidArgument, "http client: timeouts must be positive");
  }
  if (options.ca_file.empty()) options.ca_file = DefaultCaFile();
  return std::unique_ptr<SocketHttpClient>(new SocketHttpClient(std::move(options)));
}

SocketHttpClient::SocketHttpClient(ClientOptions options) : options_(std::move(options)) {}

SocketHttpClient::~SocketHttpClient() {
  connection_.reset();
  if (tls_ != nullptr) SSL_CTX_free(tls_);
}

Result<SSL_CTX*> SocketHttpClient::TlsContext() {
  if (tls_ != nullptr) return tls_;
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) return tl::unexpected(Unavailable(TlsErrorText(nullptr)));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  // A peer that closes without close_notify ends a close-delimited body like a clean close;
  // framed bodies are checked against their length anyway.
  SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
  const int loaded = options_.ca_file.empty()
                         ? SSL_CTX_set_default_verify_paths(ctx)
                         : SSL_CTX_load_verify_locations(ctx, options_.ca_file.c_str(), nullptr);
  if (loaded != 1) {
    SSL_CTX_free(ctx);
    return tl::unexpected(
        Unavailable("TLS: cannot load the CA certificates" +
                    (options_.ca_file.empty() ? std::string() : " from " + options_.ca_file)));
  }
  tls_ = ctx;
  return tls_;
}

Result<Response> SocketHttpClient::Send(const Request& request) {
  if (request.method != "GET" && request.method != "POST" && request.method != "PUT") {
    return Fail(ErrorCode::kInvalidArgument, "http client: unsupported method " + request.method);
  }
  auto url = SplitUrl(request.url);
  if (!url) return tl::unexpected(url.error());
  const auto fail = [&request](const Error& e) -> Result<Response> {
    return Fail(e.code, "http " + request.method + ": " + e.message);
  };
  if (request.cancel != nullptr && request.cancel->load()) return fail(Unavailable("cancelled"));

  // The request head; the caller's Host (SigV4 signs it) wins over ours.
  std::string head = request.method + " " + url->target + " HTTP/1.1\r\n";
  bool host = false, user_agent = false;
  for (const Header& h : request.headers) {
    if (h.name.empty() || h.name.find(':') != std::string::npos || HasControl(h.name) ||
        HasControl(h.value)) {
      return Fail(ErrorCode::kInvalidArgument, "http client: malformed header");
    }
    if (EqualsIgnoreCase(h.name, "Content-Length") ||
        EqualsIgnoreCase(h.name, "Transfer-Encoding")) {
      continue;  // the body is framed here
    }
    if (EqualsIgnoreCase(h.name, "Host")) host = true;
    if (EqualsIgnoreCase(h.name, "User-Agent")) user_agent = true;
    head += h.name;
    head += ": ";
    head += h.value;
    head += "\r\n";
  }
  if (!host) head += "Host: " + HostHeader(*url) + "\r\n";
  if (!user_agent) head += "User-Agent: " + options_.user_agent + "\r\n";
  if (request.method != "GET")
    head += "Content-Length: " + std::to_string(request.body.size()) + "\r\n";
  head += "\r\n";
  if (request.method != "GET") head += request.body;

  milliseconds total = options_.total_timeout;
  if (request.timeout.count() > 0) total = std::min(total, request.timeout);
  const auto start = SteadyClock::now();
  const Deadline deadline{start + total, request.cancel};
  const Deadline connect_by{std::min(deadline.at, start + options_.connect_timeout),
                            request.cancel};

  std::lock_guard lock(mu_);
  if (connection_ && connection_->origin() != url->origin) connection_.reset();
  // At most two rounds: the second only when a reused connection turned out closed.
  for (int round = 0;; ++round) {
    const bool reused = connection_ != nullptr;
    if (!connection_) {
      auto made = Connect(*url, connect_by);
      if (!made) return fail(made.error());
      if (url->tls) {
        auto ctx = TlsContext();
        if (!ctx) return fail(ctx.error());
        if (auto tls = (*made)->StartTls(*ctx, url->host, deadline); !tls) return fail(tls.error());
      }
      connection_ = std::move(*made);
    }
    connection_->ResetReceived();
    Response response;
    bool keep_alive = false, chunked = false;
    long long length = -1;
    ResponseReader reader(*connection_, deadline, options_.max_body_bytes);
    Result<void> done = connection_->WriteAll(head, deadline);
    if (done) done = reader.Head(response, keep_alive, chunked, length);
    if (done) done = reader.Body(response, chunked, length);
    if (!done) {
      const bool stale = reused && round == 0 && !connection_->received() &&
                         !(request.cancel != nullptr && request.cancel->load()) &&
                         SteadyClock::now() < deadline.at;
      connection_.reset();  // whatever state it is in, the next request starts afresh
      if (stale) continue;
      return fail(done.error());
    }
    if (!keep_alive || reader.leftover()) connection_.reset();
    return response;
  }
}

}  // namespace tw::http
