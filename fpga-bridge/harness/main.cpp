// Simulated-FPGA risk gate sidecar: the Verilator model of rtl/risk_gate.v behind the Kestrel
// shared-memory bridge. Reads requests from the request ring, clocks the design, writes verdicts
// with the cycles each took. Usage: risk_gate_sim <segment-path> [--spin] [--version N]
//
// Methods (request body -> response body):
//   check  [inst, side(+1|-1), price, qty, ts]              -> [code, cycles]
//   regs   [addr, value, addr, value, ...]                   -> [count]
//   batch  bin: records of six little-endian float64 integers [kind, a, b, c, d, e], streamed
//          into the pipeline one order per cycle (drained before each register write)
//          (kind 0 order: inst, side, price, qty, ts; kind 1 register write: addr, value, 0, 0, 0)
//          -> [codes (bin, one byte per order), cycles_total, cycles_min, cycles_max, cpu_ns]
//   reset  nil                                               -> [cycles]
//
// The hot messages also come as fixed-layout binary frames (frame.hpp, gpu-bridge/PROTOCOL.md):
// kind 1 check (f64 inst, side, price, qty, ts -> u32 code, u32 cycles) and kind 2 regs (f64
// [addr, value] pairs -> u32 count, 0). A frame of another version or kind is answered with an
// error and named once on stderr (SHM_FRAME_UNKNOWN).
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>
#include "Vrisk_gate.h"
#include "verilated.h"
#include "frame.hpp"
#include "msgpack.hpp"
#include "shm.hpp"

namespace {

Vrisk_gate* top;
uint64_t cycles = 0;

void tick() {
  top->clk = 0;
  top->eval();
  top->clk = 1;
  top->eval();
  cycles++;
}

void reset() {
  top->rst = 1;
  top->in_valid = 0;
  top->reg_we = 0;
  tick();
  tick();
  top->rst = 0;
  tick();
}

void reg_write(uint64_t addr, uint64_t value) {
  top->reg_we = 1;
  top->reg_addr = (uint16_t)addr;
  top->reg_wdata = value;
  tick();
  top->reg_we = 0;
}

// Clocks one order through the gate; returns its verdict code and the cycles from the accepting
// edge to the verdict edge.
int check(int64_t inst, int64_t side, int64_t price, int64_t qty, int64_t ts, uint32_t& took) {
  // A slot outside 16 bits cannot be addressed: present it as an unknown instrument.
  top->in_inst = (inst < 0 || inst > 0xffff) ? 0xffff : (uint16_t)inst;
  top->in_sell = side < 0;
  top->in_price = (uint32_t)price;
  top->in_qty = (uint32_t)qty;
  top->in_ts = (uint64_t)ts;
  while (!top->in_ready) tick();
  top->in_valid = 1;
  uint64_t c0 = cycles;
  tick();
  top->in_valid = 0;
  while (!top->out_valid) tick();
  took = (uint32_t)(cycles - c0);
  return top->out_code;
}

// Streams orders into the pipeline, one per cycle; verdicts come out in order, three cycles later.
struct Stream {
  std::vector<uint8_t>* codes;
  uint64_t issued[8];
  unsigned head = 0, tail = 0;  // FIFO of issue cycles (at most 3 in flight)
  uint64_t total = 0;
  uint32_t lo = UINT32_MAX, hi = 0;

  void collect() {
    if (!top->out_valid) return;
    uint32_t took = (uint32_t)(cycles - issued[head++ & 7]);
    codes->push_back((uint8_t)top->out_code);
    total += took;
    if (took < lo) lo = took;
    if (took > hi) hi = took;
  }
  void step() {
    tick();
    collect();
  }
  void issue(int64_t inst, int64_t side, int64_t price, int64_t qty, int64_t ts) {
    top->in_inst = (inst < 0 || inst > 0xffff) ? 0xffff : (uint16_t)inst;
    top->in_sell = side < 0;
    top->in_price = (uint32_t)price;
    top->in_qty = (uint32_t)qty;
    top->in_ts = (uint64_t)ts;
    top->in_valid = 1;
    issued[tail++ & 7] = cycles;
    step();
    top->in_valid = 0;
  }
  // Clocks until every issued order has its verdict (before a register write, and at the end).
  void drain() {
    while (head != tail) step();
  }
};

int64_t now_us() {
  timespec t;
  clock_gettime(CLOCK_REALTIME, &t);
  return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

int64_t thread_cpu_ns() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

double mono_ms() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

bool method_is(const char* m, uint32_t n, const char* want) {
  return std::strlen(want) == n && std::memcmp(m, want, n) == 0;
}

// Frame versions and kinds already named on stderr (one line each, not one per frame).
bool named_unknown[256][256];

// Handles one binary frame; writes the response frame into out. Returns false to skip (short or
// malformed frame, expired deadline).
bool handle_frame(const uint8_t* p, uint32_t len, std::vector<uint8_t>& out) {
  kframe::Header h;
  if (!kframe::read_header(p, len, h)) return false;
  if (h.version != kframe::VERSION || h.kind >= kframe::KINDS || (h.kind != kframe::CHECK && h.kind != kframe::REGS)) {
    bool known = h.version == kframe::VERSION && h.kind < kframe::KINDS;
    std::string line = std::string(known ? "SHM_FRAME_UNKNOWN: ring=requests unknown=kind" : "SHM_FRAME_UNKNOWN: ring=requests unknown=") +
                       (known ? "" : (h.version != kframe::VERSION ? "version" : "kind")) + " frame_version=" + std::to_string(h.version) +
                       " speaks=" + std::to_string(kframe::VERSION) + " kind=" + std::to_string(h.kind) + " id=" + std::to_string(h.id) +
                       " sidecar=risk_gate_sim";
    if (!named_unknown[h.version][h.kind]) {
      named_unknown[h.version][h.kind] = true;
      std::fprintf(stderr, "%s\n", line.c_str());
    }
    kframe::begin_reply(out, h.kind, known ? kframe::UNKNOWN_METHOD : kframe::ERROR, h.id, 0);
    kframe::put_text(out, line);
    return true;
  }
  if (h.word + kshm::STALE_GRACE_US <= (double)now_us()) return false;
  const uint8_t* body = p + kframe::HEADER;
  uint32_t n = len - kframe::HEADER;
  if (h.kind == kframe::CHECK) {
    if (n != 40) return false;
    uint32_t took = 0;
    int code = check((int64_t)kframe::f64_at(body, 0), (int64_t)kframe::f64_at(body, 8), (int64_t)kframe::f64_at(body, 16),
                     (int64_t)kframe::f64_at(body, 24), (int64_t)kframe::f64_at(body, 32), took);
    kframe::begin_reply(out, h.kind, kframe::OK, h.id, 0);
    kframe::put_u32(out, (uint32_t)code);
    kframe::put_u32(out, took);
    return true;
  }
  if (n % 16 != 0) return false;
  for (uint32_t off = 0; off < n; off += 16) reg_write((uint64_t)(int64_t)kframe::f64_at(body, off), (uint64_t)(int64_t)kframe::f64_at(body, off + 8));
  kframe::begin_reply(out, h.kind, kframe::OK, h.id, 0);
  kframe::put_u32(out, n / 16);
  kframe::put_u32(out, 0);
  return true;
}

// Handles one request payload; writes the response into w. Returns false to skip (bad frame or
// expired deadline).
bool handle(const uint8_t* payload, uint32_t len, mp::Writer& w, std::vector<uint8_t>& codes) {
  if (kframe::is_frame(payload, len)) return handle_frame(payload, len, w.buf);
  mp::Reader r(payload, len);
  if (r.array() != 4) return false;
  int64_t id = r.integer();
  int64_t deadline = r.integer();
  uint32_t mlen = 0;
  const char* m = r.str(mlen);
  if (!r.ok) return false;
  if (deadline + kshm::STALE_GRACE_US <= now_us()) return false;
  w.clear();
  w.array(3);
  w.integer(id);
  if (method_is(m, mlen, "check")) {
    if (r.array() != 5) return false;
    int64_t inst = r.integer(), side = r.integer(), price = r.integer(), qty = r.integer(), ts = r.integer();
    if (!r.ok) return false;
    uint32_t took = 0;
    int code = check(inst, side, price, qty, ts, took);
    w.integer(0);
    w.array(2);
    w.integer(code);
    w.integer(took);
  } else if (method_is(m, mlen, "regs")) {
    uint32_t n = r.array();
    if (!r.ok || (n & 1)) return false;
    for (uint32_t i = 0; i < n; i += 2) {
      int64_t addr = r.integer(), value = r.integer();
      if (!r.ok) return false;
      reg_write((uint64_t)addr, (uint64_t)value);
    }
    w.integer(0);
    w.array(1);
    w.integer(n / 2);
  } else if (method_is(m, mlen, "batch")) {
    uint32_t nbytes = 0;
    const uint8_t* b = r.bin(nbytes);
    if (!r.ok || nbytes % 48 != 0) return false;
    codes.clear();
    int64_t cpu0 = thread_cpu_ns();
    Stream st;
    st.codes = &codes;
    for (uint32_t off = 0; off < nbytes; off += 48) {
      double rec[6];
      std::memcpy(rec, b + off, 48);
      int64_t kind = (int64_t)rec[0], a = (int64_t)rec[1], bb = (int64_t)rec[2], c = (int64_t)rec[3], d = (int64_t)rec[4], e = (int64_t)rec[5];
      if (kind == 1) {
        st.drain();
        reg_write((uint64_t)a, (uint64_t)bb);
        continue;
      }
      st.issue(a, bb, c, d, e);
    }
    st.drain();
    uint64_t total = st.total;
    uint32_t lo = st.lo, hi = st.hi;
    w.integer(0);
    w.array(5);
    w.bin(codes.data(), (uint32_t)codes.size());
    w.integer((int64_t)total);
    w.integer(codes.empty() ? 0 : lo);
    w.integer(hi);
    w.integer(thread_cpu_ns() - cpu0);
  } else if (method_is(m, mlen, "reset")) {
    reset();
    w.integer(0);
    w.array(1);
    w.integer((int64_t)cycles);
  } else {
    w.integer(3);
    w.str("unknown method");
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s <segment-path> [--spin] [--version N]\n", argv[0]);
    return 2;
  }
  bool spin = false;
  uint32_t version = kshm::VERSION;
  for (int i = 2; i < argc; i++) {
    if (std::strcmp(argv[i], "--spin") == 0) spin = true;
    else if (std::strcmp(argv[i], "--version") == 0 && i + 1 < argc) version = (uint32_t)std::atoi(argv[++i]);
  }
  Verilated::commandArgs(1, argv);
  top = new Vrisk_gate;
  reset();

  kshm::Segment seg;
  std::string err = kshm::attach(argv[1], version, seg);
  if (!err.empty()) {
    std::fprintf(stderr, "%s\n", err.c_str());
    return 3;
  }
  kshm::Reader reader(seg);
  kshm::Writer writer(seg);
  mp::Writer w;
  w.buf.reserve(1 << 16);
  std::vector<uint8_t> codes;
  const double beat_ms = seg.load(kshm::O_HEARTBEAT_MS) / 2.0;
  double last_beat = mono_ms(), idle_since = last_beat, client_at = last_beat;
  uint32_t client_beat = seg.load(kshm::O_CLIENT_HEARTBEAT);

  for (;;) {
    int got = reader.peek();
    if (got < 0) {
      std::fprintf(stderr, "SHM_RING_CORRUPT: ring=requests\n");
      break;
    }
    double now = 0;
    if (got > 0) {
      bool reply = handle(reader.payload(), reader.len, w, codes);
      reader.release();
      if (reply) {
        uint8_t* dst;
        while ((dst = writer.claim((uint32_t)w.buf.size())) == nullptr) {
          if (w.buf.size() > seg.max_frame) break;
          seg.bump(kshm::O_SERVER_HEARTBEAT);
        }
        if (dst) {
          std::memcpy(dst, w.buf.data(), w.buf.size());
          writer.commit((uint32_t)w.buf.size());
        }
      }
      now = mono_ms();
      idle_since = now;
    } else {
      now = mono_ms();
    }
    if (now - last_beat >= beat_ms) {
      seg.bump(kshm::O_SERVER_HEARTBEAT);
      last_beat = now;
      uint32_t cb = seg.load(kshm::O_CLIENT_HEARTBEAT);
      if (cb != client_beat) {
        client_beat = cb;
        client_at = now;
      } else if (now - client_at > 2000) {
        // A busy runtime (a loaded machine, a long catch-up) is not a dead one: leave when its
        // process is gone, or after 30 s of silence.
        const int pid = static_cast<int>(seg.load(kshm::O_CLIENT_PID));
        const bool alive = pid <= 0 || kill(pid, 0) == 0 || errno == EPERM;
        if (!alive || now - client_at > 30000) break;
      }
    }
    if (got == 0 && !spin && now - idle_since > 1.0) {
      timespec ts{0, 50000};
      nanosleep(&ts, nullptr);
    }
  }
  seg.store(kshm::O_SERVER_STATE, kshm::STOPPED);
  top->final();
  delete top;
  return 0;
}
