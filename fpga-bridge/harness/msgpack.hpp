// Minimal msgpack reader and writer for the risk gate's frames: integers, strings, binaries,
// arrays and nil. Big-endian per the msgpack spec.
#pragma once
#include <cstdint>
#include <cstring>
#include <vector>

namespace mp {

struct Reader {
  const uint8_t* p;
  const uint8_t* end;
  bool ok = true;
  Reader(const uint8_t* b, uint32_t n) : p(b), end(b + n) {}
  bool need(size_t n) { if ((size_t)(end - p) < n) ok = false; return ok; }
  uint64_t be(int n) { uint64_t v = 0; for (int i = 0; i < n; i++) v = (v << 8) | p[i]; p += n; return v; }
  uint32_t array() {
    if (!need(1)) return 0;
    uint8_t t = *p++;
    if ((t & 0xf0) == 0x90) return t & 0x0f;
    if (t == 0xdc && need(2)) return (uint32_t)be(2);
    if (t == 0xdd && need(4)) return (uint32_t)be(4);
    ok = false;
    return 0;
  }
  int64_t integer() {
    if (!need(1)) return 0;
    uint8_t t = *p++;
    if (t <= 0x7f) return t;
    if (t >= 0xe0) return (int8_t)t;
    switch (t) {
      case 0xcc: if (need(1)) return (int64_t)be(1); break;
      case 0xcd: if (need(2)) return (int64_t)be(2); break;
      case 0xce: if (need(4)) return (int64_t)be(4); break;
      case 0xcf: if (need(8)) return (int64_t)be(8); break;
      case 0xd0: if (need(1)) return (int8_t)be(1); break;
      case 0xd1: if (need(2)) return (int16_t)be(2); break;
      case 0xd2: if (need(4)) return (int32_t)be(4); break;
      case 0xd3: if (need(8)) return (int64_t)be(8); break;
      case 0xcb: if (need(8)) { uint64_t b = be(8); double d; std::memcpy(&d, &b, 8); return (int64_t)d; } break;
      default: break;
    }
    ok = false;
    return 0;
  }
  // Returns the string's bytes (not terminated) and its length in n.
  const char* str(uint32_t& n) {
    if (!need(1)) return nullptr;
    uint8_t t = *p++;
    if ((t & 0xe0) == 0xa0) n = t & 0x1f;
    else if (t == 0xd9 && need(1)) n = (uint32_t)be(1);
    else if (t == 0xda && need(2)) n = (uint32_t)be(2);
    else { ok = false; return nullptr; }
    if (!need(n)) return nullptr;
    const char* s = reinterpret_cast<const char*>(p);
    p += n;
    return s;
  }
  // Returns a binary's bytes and its length in n.
  const uint8_t* bin(uint32_t& n) {
    if (!need(1)) return nullptr;
    uint8_t t = *p++;
    if (t == 0xc4 && need(1)) n = (uint32_t)be(1);
    else if (t == 0xc5 && need(2)) n = (uint32_t)be(2);
    else if (t == 0xc6 && need(4)) n = (uint32_t)be(4);
    else { ok = false; return nullptr; }
    if (!need(n)) return nullptr;
    const uint8_t* b = p;
    p += n;
    return b;
  }
  bool nil() { if (need(1) && *p == 0xc0) { p++; return true; } return false; }
};

struct Writer {
  std::vector<uint8_t> buf;
  void clear() { buf.clear(); }
  void put_be(uint64_t v, int n) { for (int i = n - 1; i >= 0; i--) buf.push_back((uint8_t)(v >> (8 * i))); }
  void array(uint32_t n) {
    if (n < 16) buf.push_back((uint8_t)(0x90 | n));
    else if (n < 65536) { buf.push_back(0xdc); put_be(n, 2); }
    else { buf.push_back(0xdd); put_be(n, 4); }
  }
  void integer(int64_t v) {
    if (v >= 0) {
      if (v < 128) buf.push_back((uint8_t)v);
      else if (v < 256) { buf.push_back(0xcc); put_be((uint64_t)v, 1); }
      else if (v < 65536) { buf.push_back(0xcd); put_be((uint64_t)v, 2); }
      else if (v < 4294967296LL) { buf.push_back(0xce); put_be((uint64_t)v, 4); }
      else { buf.push_back(0xcf); put_be((uint64_t)v, 8); }
    } else if (v >= -32) buf.push_back((uint8_t)(int8_t)v);
    else { buf.push_back(0xd3); put_be((uint64_t)v, 8); }
  }
  void nil() { buf.push_back(0xc0); }
  void str(const char* s) {
    uint32_t n = (uint32_t)std::strlen(s);
    if (n < 32) buf.push_back((uint8_t)(0xa0 | n)); else { buf.push_back(0xd9); put_be(n, 1); }
    buf.insert(buf.end(), s, s + n);
  }
  void bin(const uint8_t* b, uint32_t n) {
    if (n < 256) { buf.push_back(0xc4); put_be(n, 1); }
    else if (n < 65536) { buf.push_back(0xc5); put_be(n, 2); }
    else { buf.push_back(0xc6); put_be(n, 4); }
    buf.insert(buf.end(), b, b + n);
  }
};

}  // namespace mp
