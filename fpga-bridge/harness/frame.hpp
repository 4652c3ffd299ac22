// Fixed-layout binary frames of the Kestrel bridge (gpu-bridge/PROTOCOL.md, "Binary frames"):
// a 16-byte little-endian header, then a body fixed by the frame's kind. The gate serves `check`
// (five f64 integers -> u32 code, u32 cycles) and `regs` (f64 [addr, value] pairs -> u32 count, 0).
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

namespace kframe {

constexpr uint8_t MARK = 0xc1;
constexpr uint8_t VERSION = 1;
constexpr uint32_t HEADER = 16;
enum Kind : uint8_t { ECHO = 0, CHECK = 1, REGS = 2, VAR = 3, VAR_BOOTSTRAP = 4, INFER = 5, KINDS = 6 };
enum Status : uint8_t { OK = 0, ERROR = 1, UNKNOWN_METHOD = 3 };

struct Header {
  uint8_t version = 0, kind = 0, status = 0;
  uint32_t id = 0;
  double word = 0;  // request: deadline in µs since the epoch
};

inline bool is_frame(const uint8_t* p, uint32_t len) { return len >= 1 && p[0] == MARK; }

// Reads the header (bytes 0..15); false when the frame is shorter than a header.
inline bool read_header(const uint8_t* p, uint32_t len, Header& h) {
  if (len < HEADER) return false;
  h.version = p[1];
  h.kind = p[2];
  h.status = p[3];
  std::memcpy(&h.id, p + 4, 4);
  std::memcpy(&h.word, p + 8, 8);
  return true;
}

inline double f64_at(const uint8_t* p, uint32_t off) {
  double d;
  std::memcpy(&d, p + off, 8);
  return d;
}

// Starts a response frame in out: header with our version, the request's kind and id.
inline void begin_reply(std::vector<uint8_t>& out, uint8_t kind, uint8_t status, uint32_t id, double elapsed_ns) {
  out.resize(HEADER);
  out[0] = MARK;
  out[1] = VERSION;
  out[2] = kind;
  out[3] = status;
  std::memcpy(out.data() + 4, &id, 4);
  std::memcpy(out.data() + 8, &elapsed_ns, 8);
}

inline void put_u32(std::vector<uint8_t>& out, uint32_t v) {
  size_t at = out.size();
  out.resize(at + 4);
  std::memcpy(out.data() + at, &v, 4);
}

inline void put_text(std::vector<uint8_t>& out, const std::string& s) { out.insert(out.end(), s.begin(), s.end()); }

}  // namespace kframe
