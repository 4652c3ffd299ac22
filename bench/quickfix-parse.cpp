// Same-run C++ baseline of the fixDecode row: QuickFIX (Debian's libquickfix) parses the same
// ExecutionReport with FIX::Message::setString against the FIX 4.4 dictionary and reads LastPx,
// LastQty and CumQty, as the Kestrel "+read" row does. Prints "validated <msgs/s>" (setString
// with validation, as Kestrel's decoder validates) and "unvalidated <msgs/s>", best of rounds each.
// Built at bench time by bench/quickfix-baseline.ts: g++ -O2 quickfix-parse.cpp -lquickfix.
// Usage: quickfix-parse <message-file> <FIX44.xml> <rounds> <round-ms>
#include <quickfix/DataDictionary.h>
#include <quickfix/Message.h>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 5) {
    std::fprintf(stderr, "usage: quickfix-parse <message-file> <FIX44.xml> <rounds> <round-ms>\n");
    return 2;
  }
  std::ifstream in(argv[1], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string msg = ss.str();
  const int rounds = std::atoi(argv[3]);
  const double roundNs = std::atof(argv[4]) * 1e6;
  try {
    FIX::DataDictionary dd(argv[2]);
    FIX::Message m;
    double sum = 0;
    bool validate = true;
    auto once = [&]() {
      m.setString(msg, validate, &dd);
      sum += std::strtod(m.getField(31).c_str(), nullptr) + std::strtod(m.getField(32).c_str(), nullptr) + std::strtod(m.getField(14).c_str(), nullptr);
    };
    auto bestOf = [&]() {
    for (int i = 0; i < 20000; i++) once();
    double best = 0;
    for (int r = 0; r < rounds; r++) {
      long ops = 0;
      auto t0 = std::chrono::steady_clock::now();
      double el = 0;
      while (el < roundNs) {
        for (int i = 0; i < 1000; i++) once();
        ops += 1000;
        el = std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
      }
      best = std::max(best, ops / (el / 1e9));
    }
    return best;
    };
    const double validated = bestOf();
    validate = false;
    const double unvalidated = bestOf();
    if (!(sum > 0)) {
      std::fprintf(stderr, "quickfix-parse: fields read as %f\n", sum);
      return 3;
    }
    std::printf("validated %.0f\nunvalidated %.0f\n", validated, unvalidated);
  } catch (std::exception& e) {
    std::fprintf(stderr, "quickfix-parse: %s\n", e.what());
    return 1;
  }
  return 0;
}
