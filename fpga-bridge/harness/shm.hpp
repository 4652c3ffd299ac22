// Sidecar side of the Kestrel shared-memory bridge protocol, version 1 (gpu-bridge/PROTOCOL.md).
// Header-only: attach to the runtime's segment, read requests, write responses, beat.
#pragma once
#include <cstdint>
#include <cstring>
#include <string>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

namespace kshm {

constexpr uint32_t MAGIC = 0x5453454bu;
constexpr uint32_t VERSION = 1;
constexpr uint32_t HEADER_BYTES = 512;
constexpr uint32_t WRAP = 0xffffffffu;
// A request is dropped as stale only when its deadline passed by more than this (clocks differ).
constexpr int64_t STALE_GRACE_US = 100000;
enum Off : uint32_t {
  O_MAGIC = 0, O_VERSION = 4, O_CAPACITY = 8, O_HEADER = 12, O_MAX_FRAME = 16, O_HEARTBEAT_MS = 20,
  O_CLIENT_PID = 24, O_CLIENT_HEARTBEAT = 64, O_SERVER_HEARTBEAT = 128, O_SERVER_STATE = 192,
  O_SERVER_VERSION = 196, O_SERVER_PID = 200, O_SERVER_EPOCH = 204, O_REQ_TAIL = 256, O_REQ_HEAD = 320,
  O_RESP_TAIL = 384, O_RESP_HEAD = 448,
};
enum State : uint32_t { ABSENT = 0, READY = 1, STOPPED = 2, VERSION_MISMATCH = 3 };

inline uint32_t align8(uint32_t n) { return (n + 7u) & ~7u; }

struct Segment {
  uint8_t* base = nullptr;
  size_t size = 0;
  uint32_t capacity = 0, max_frame = 0;
  uint32_t* word(uint32_t off) const { return reinterpret_cast<uint32_t*>(base + off); }
  uint32_t load(uint32_t off) const { return __atomic_load_n(word(off), __ATOMIC_ACQUIRE); }
  void store(uint32_t off, uint32_t v) const { __atomic_store_n(word(off), v, __ATOMIC_RELEASE); }
  void bump(uint32_t off) const { __atomic_fetch_add(word(off), 1u, __ATOMIC_ACQ_REL); }
};

// Maps the segment and performs the sidecar's half of the handshake. Returns "" or an error code
// with key=value context.
inline std::string attach(const char* path, uint32_t version, Segment& s) {
  int fd = open(path, O_RDWR);
  if (fd < 0) return std::string("SHM_IO: path=") + path + " op=open";
  struct stat st;
  if (fstat(fd, &st) != 0 || st.st_size < (off_t)HEADER_BYTES) { close(fd); return std::string("SHM_BAD_MAGIC: path=") + path; }
  void* p = mmap(nullptr, (size_t)st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  close(fd);
  if (p == MAP_FAILED) return std::string("SHM_IO: path=") + path + " op=mmap";
  s.base = static_cast<uint8_t*>(p);
  s.size = (size_t)st.st_size;
  if (s.load(O_MAGIC) != MAGIC) return std::string("SHM_BAD_MAGIC: path=") + path;
  s.capacity = s.load(O_CAPACITY);
  s.max_frame = s.load(O_MAX_FRAME);
  if (s.capacity == 0 || (s.capacity & (s.capacity - 1)) != 0 || s.size < HEADER_BYTES + 2ull * s.capacity)
    return std::string("SHM_BAD_MAGIC: path=") + path + " capacity=" + std::to_string(s.capacity);
  s.store(O_SERVER_VERSION, version);
  s.store(O_SERVER_PID, (uint32_t)getpid());
  if (s.load(O_VERSION) != version) {
    s.store(O_SERVER_STATE, VERSION_MISMATCH);
    return "SHM_VERSION_MISMATCH: client=" + std::to_string(s.load(O_VERSION)) + " server=" + std::to_string(version);
  }
  s.bump(O_SERVER_EPOCH);
  s.bump(O_SERVER_HEARTBEAT);
  s.store(O_SERVER_STATE, READY);
  return "";
}

// Consumer of the request ring.
struct Reader {
  const Segment* s;
  uint8_t* data;
  uint32_t head, mask, skip = 0, start = 0, len = 0;
  explicit Reader(const Segment& seg) : s(&seg), data(seg.base + HEADER_BYTES), head(seg.load(O_REQ_HEAD)), mask(seg.capacity - 1) {}
  // 1: a frame (payload(), len); 0: empty; -1: corrupt ring.
  int peek() {
    uint32_t tail = s->load(O_REQ_TAIL);
    if (tail == head) return 0;
    uint32_t avail = tail - head, idx = head & mask;
    skip = 0;
    uint32_t n;
    std::memcpy(&n, data + idx, 4);
    if (n == WRAP) {
      skip = s->capacity - idx;
      idx = 0;
      if (avail <= skip) return -1;
      std::memcpy(&n, data, 4);
    }
    if (n > s->max_frame || avail > s->capacity || skip + align8(n + 4) > avail) return -1;
    start = idx;
    len = n;
    return 1;
  }
  const uint8_t* payload() const { return data + start + 4; }
  void release() {
    head += skip + align8(len + 4);
    s->store(O_REQ_HEAD, head);
  }
};

// Producer of the response ring: claim, write, commit.
struct Writer {
  const Segment* s;
  uint8_t* data;
  uint32_t tail, mask, skip = 0, start = 0;
  explicit Writer(const Segment& seg)
      : s(&seg), data(seg.base + HEADER_BYTES + seg.capacity), tail(seg.load(O_RESP_TAIL)), mask(seg.capacity - 1) {}
  // Returns where the payload goes, or nullptr when the ring is full or the frame too large.
  uint8_t* claim(uint32_t n) {
    if (n > s->max_frame) return nullptr;
    uint32_t need = align8(n + 4), head = s->load(O_RESP_HEAD), used = tail - head, idx = tail & mask;
    uint32_t to_end = s->capacity - idx;
    skip = need > to_end ? to_end : 0;
    start = skip ? 0 : idx;
    if ((uint64_t)used + skip + need > s->capacity) return nullptr;
    return data + start + 4;
  }
  void commit(uint32_t n) {
    std::memcpy(data + start, &n, 4);
    if (skip) { uint32_t w = WRAP; std::memcpy(data + (tail & mask), &w, 4); }
    tail += skip + align8(n + 4);
    s->store(O_RESP_TAIL, tail);
  }
};

}  // namespace kshm
