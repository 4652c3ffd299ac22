// A small QuickFIX C++ acceptor that plays a liquidity provider for Kestrel's FIX tests.
//
// Usage: acceptor <port> <SenderCompID> <TargetCompID> <data-dictionary.xml>
// It quotes EURUSD and USDJPY (a MarketDataSnapshotFullRefresh on subscribe, then a
// MarketDataIncrementalRefresh every 100 ms), acknowledges and fills or rejects orders, and
// handles cancel and cancel/replace. ClOrdIDs starting with "DROP" make it disconnect after the
// acknowledgement and store the fill for resending; "GAP" makes it skip three sequence numbers
// before the fill. It answers OrderMassStatusRequest (AF, MassStatusReqType 7) with a status report
// (ExecType I) of every order of the day, open and finished, and a line "FILLALL" on stdin fills
// every open order at its limit price (the reports wait in the store for the initiator's next
// logon, as they would at a venue whose client is down); it prints "NEW <ClOrdID>" on each
// acknowledgement and "FILLED <n>" after FILLALL. "DROPFILL" disconnects the initiator and then
// fills every open order (the reports wait in the store: resent after the next logon unless the
// initiator resets sequence numbers) and prints "DROPFILLED <n>". It answers RequestForPositions
// (AN) with a RequestForPositionsAck and one PositionReport per symbol it has filled (net of the
// session's fills, LongQty/ShortQty); "POSITION <symbol> <qty>" shifts a symbol's reported
// position (a break the initiator must find). It listens on 127.0.0.1 only (bind is interposed: QuickFIX 1.15 binds to
// all interfaces), prints "READY <port>" when listening and exits when stdin closes.
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/MessageCracker.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/ThreadedSocketAcceptor.h>
#include <quickfix/NullStore.h>
#include <quickfix/MessageStore.h>
#include <arpa/inet.h>
#include <dlfcn.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

extern "C" int bind(int fd, const struct sockaddr* addr, socklen_t len) {
  typedef int (*BindFn)(int, const struct sockaddr*, socklen_t);
  static BindFn real = (BindFn)dlsym(RTLD_NEXT, "bind");
  if (addr != nullptr && addr->sa_family == AF_INET && len >= sizeof(sockaddr_in)) {
    sockaddr_in a;
    std::memcpy(&a, addr, sizeof a);
    if (a.sin_addr.s_addr == htonl(INADDR_ANY)) {
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      return real(fd, (const sockaddr*)&a, sizeof a);
    }
  }
  return real(fd, addr, len);
}

namespace {

// One output line, written whole: the session, control and stdin threads all print.
std::mutex outMu;
void say(const std::string& line) {
  std::lock_guard<std::mutex> g(outMu);
  std::cout << line << std::endl;
}

struct Instrument { int decimals; long long bid; long long ask; };

std::string fmt(long long ticks, int decimals) {
  bool neg = ticks < 0;
  if (neg) ticks = -ticks;
  std::string digits = std::to_string(ticks);
  while ((int)digits.size() <= decimals) digits = "0" + digits;
  std::string out = decimals == 0 ? digits : digits.substr(0, digits.size() - decimals) + "." + digits.substr(digits.size() - decimals);
  return neg ? "-" + out : out;
}

// Exact decimal text to ticks; returns false if it has more decimals than the scale.
bool ticks(const std::string& text, int decimals, long long& out) {
  size_t dot = text.find('.');
  std::string whole = text.substr(0, dot), frac = dot == std::string::npos ? "" : text.substr(dot + 1);
  while ((int)frac.size() > decimals && frac.back() == '0') frac.pop_back();
  if ((int)frac.size() > decimals) return false;
  while ((int)frac.size() < decimals) frac += "0";
  try { out = std::stoll(whole + frac); } catch (...) { return false; }
  return true;
}

struct Order {
  std::string clOrdId, orderId, symbol;
  char side;
  char type;
  long long qty, price, cum;
  long long notional;  // sum of fill qty * price, for AvgPx
};

class Provider : public FIX::Application {
 public:
  std::map<std::string, Instrument> instruments{{"EURUSD", {5, 110000, 110010}}, {"USDJPY", {3, 150000, 150020}}};
  std::mutex mu;
  std::map<std::string, Order> open;  // by current ClOrdID
  std::map<std::string, std::pair<Order, std::string>> finished;  // by last ClOrdID: the order and its OrdStatus
  std::map<std::string, std::string> subscriptions;  // symbol -> MDReqID
  std::map<std::string, long long> position;  // symbol -> net filled quantity (buys minus sells)
  FIX::SessionID session;
  bool hasSession = false;
  long long nextId = 1;
  long long tick = 0;

  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    std::lock_guard<std::mutex> g(mu);
    session = id;
    hasSession = true;
    say("LOGON");
  }
  void onLogout(const FIX::SessionID&) override {
    std::lock_guard<std::mutex> g(mu);
    subscriptions.clear();
    say("LOGOUT");
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&, const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::RejectLogon) override {}

  void fromApp(const FIX::Message& m, const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat, FIX::IncorrectTagValue, FIX::UnsupportedMessageType) override {
    const std::string type = m.getHeader().getField(35);
    if (type == "V") marketDataRequest(m, id);
    else if (type == "D") newOrder(m, id);
    else if (type == "F") cancel(m, id);
    else if (type == "G") replace(m, id);
    else if (type == "AF") massStatus(m, id);
    else if (type == "AN") positions(m, id);
    else throw FIX::UnsupportedMessageType();
  }

  static FIX::Message make(const char* type) {
    FIX::Message msg;
    msg.getHeader().setField(35, type);
    return msg;
  }

  void quoteEntries(FIX::Message& msg, const std::string& symbol, const Instrument& in, bool incremental) {
    for (int k = 0; k < 2; k++) {
      FIX::Group g(268, incremental ? 279 : 269);
      if (incremental) g.setField(279, "1");
      g.setField(269, k == 0 ? "0" : "1");
      if (incremental) g.setField(55, symbol);
      g.setField(270, fmt(k == 0 ? in.bid : in.ask, in.decimals));
      g.setField(271, "1000000");
      msg.addGroup(g);
    }
  }

  void marketDataRequest(const FIX::Message& m, const FIX::SessionID& id) {
    std::string reqId = m.getField(262);
    std::string subType = m.getField(263);
    int n = std::stoi(m.getField(146));
    for (int i = 1; i <= n; i++) {
      FIX::Group sym(146, 55);
      m.getGroup(i, sym);
      std::string symbol = sym.getField(55);
      std::lock_guard<std::mutex> g(mu);
      auto it = instruments.find(symbol);
      if (it == instruments.end()) {
        FIX::Message rej = make("Y");
        rej.setField(262, reqId);
        rej.setField(281, "0");
        rej.setField(58, "unknown symbol " + symbol);
        FIX::Session::sendToTarget(rej, id);
        continue;
      }
      if (subType == "2") { subscriptions.erase(symbol); continue; }
      FIX::Message snap = make("W");
      snap.setField(262, reqId);
      snap.setField(55, symbol);
      quoteEntries(snap, symbol, it->second, false);
      FIX::Session::sendToTarget(snap, id);
      if (subType == "1") subscriptions[symbol] = reqId;
    }
  }

  FIX::Message dropFill;
  bool dropPending = false;

  // Called every 20 ms by the control thread: performs a pending drop (disconnect, then send the
  // fill, which QuickFIX stores for the resend after the next logon).
  void control() {
    FIX::Message fillMsg;
    {
      std::lock_guard<std::mutex> g(mu);
      if (!dropPending) return;
      dropPending = false;
      fillMsg = dropFill;
    }
    say("DROPPING");
    FIX::Session* s = FIX::Session::lookupSession(session);
    s->disconnect();
    FIX::Session::sendToTarget(fillMsg, session);
    say("DROPPED");
  }

  // Called every 100 ms: moves each quote by one tick along a small cycle and sends increments.
  void publish() {
    std::lock_guard<std::mutex> g(mu);
    if (!hasSession || subscriptions.empty()) return;
    tick++;
    long long shift = (tick % 4 < 2) ? 1 : -1;
    for (auto& s : subscriptions) {
      Instrument& in = instruments[s.first];
      in.bid += shift;
      in.ask += shift;
      FIX::Message inc = make("X");
      inc.setField(262, s.second);
      quoteEntries(inc, s.first, in, true);
      FIX::Session::sendToTarget(inc, session);
    }
  }

  FIX::Message report(const Order& o, const char* execType, const char* status, long long lastQty, long long lastPx) {
    const Instrument& in = instruments[o.symbol];
    FIX::Message er = make("8");
    er.setField(37, o.orderId);
    er.setField(11, o.clOrdId);
    er.setField(17, "X" + std::to_string(nextId++));
    er.setField(150, execType);
    er.setField(39, status);
    er.setField(55, o.symbol);
    er.setField(54, std::string(1, o.side));
    er.setField(38, std::to_string(o.qty));
    er.setField(40, std::string(1, o.type));
    if (o.type == '2') er.setField(44, fmt(o.price, in.decimals));
    if (lastQty > 0) {
      er.setField(32, std::to_string(lastQty));
      er.setField(31, fmt(lastPx, in.decimals));
    }
    long long leaves = (std::string(status) == "2" || std::string(status) == "4" || std::string(status) == "8") ? 0 : o.qty - o.cum;
    er.setField(151, std::to_string(leaves));
    er.setField(14, std::to_string(o.cum));
    er.setField(6, o.cum > 0 ? fmt(o.notional / o.cum, in.decimals) : "0");
    return er;
  }

  // Fills what is marketable against the current quote; returns the report to send, if any.
  bool fill(Order& o, FIX::Message& out) {
    const Instrument& in = instruments[o.symbol];
    long long px = o.side == '1' ? in.ask : in.bid;
    bool marketable = o.type == '1' || (o.side == '1' ? o.price >= in.ask : o.price <= in.bid);
    if (!marketable || o.cum >= o.qty) return false;
    long long qty = std::min(o.qty - o.cum, 1000000LL);
    o.cum += qty;
    o.notional += qty * px;
    position[o.symbol] += o.side == '1' ? qty : -qty;
    out = report(o, "F", o.cum == o.qty ? "2" : "1", qty, px);
    return true;
  }

  void reject(const FIX::Message& m, const FIX::SessionID& id, const std::string& text, const char* reason) {
    Order o{m.getField(11), "NONE", m.isSetField(55) ? m.getField(55) : "?", m.isSetField(54) ? m.getField(54)[0] : '1', '2', 0, 0, 0, 0};
    FIX::Message er = report(o, "8", "8", 0, 0);
    er.setField(103, reason);
    er.setField(58, text);
    FIX::Session::sendToTarget(er, id);
  }

  void newOrder(const FIX::Message& m, const FIX::SessionID& id) {
    std::lock_guard<std::mutex> g(mu);
    std::string symbol = m.getField(55);
    auto it = instruments.find(symbol);
    if (it == instruments.end()) return reject(m, id, "unknown symbol " + symbol, "1");
    Order o{m.getField(11), "O" + std::to_string(nextId++), symbol, m.getField(54)[0], m.getField(40)[0], 0, 0, 0, 0};
    long long qty = 0;
    if (!ticks(m.getField(38), 0, o.qty) || o.qty <= 0) return reject(m, id, "bad quantity", "99");
    if (o.qty > 50000000) return reject(m, id, "quantity exceeds limit", "3");
    if (o.type == '2' && !ticks(m.getField(44), it->second.decimals, o.price)) return reject(m, id, "price off tick", "99");
    (void)qty;
    FIX::Message ack = report(o, "0", "0", 0, 0);
    FIX::Session::sendToTarget(ack, id);
    say("NEW " + o.clOrdId);
    FIX::Message fillMsg;
    bool filled = fill(o, fillMsg);
    if (o.cum < o.qty) open[o.clOrdId] = o;
    else finished[o.clOrdId] = {o, "2"};
    if (!filled) return;
    FIX::Session* s = FIX::Session::lookupSession(id);
    if (o.clOrdId.rfind("GAP", 0) == 0) s->setNextSenderMsgSeqNum(s->getExpectedSenderNum() + 3);
    if (o.clOrdId.rfind("DROP", 0) == 0) {
      // Disconnecting inside the session's own callback upsets QuickFIX: the control thread does it.
      dropFill = fillMsg;
      dropPending = true;
      return;
    }
    FIX::Session::sendToTarget(fillMsg, id);
  }

  void cancelReject(const FIX::Message& m, const FIX::SessionID& id, const char* responseTo, const std::string& text) {
    FIX::Message r = make("9");
    r.setField(37, "NONE");
    r.setField(11, m.getField(11));
    r.setField(41, m.getField(41));
    r.setField(39, "8");
    r.setField(434, responseTo);
    r.setField(102, "1");
    r.setField(58, text);
    FIX::Session::sendToTarget(r, id);
  }

  void cancel(const FIX::Message& m, const FIX::SessionID& id) {
    std::lock_guard<std::mutex> g(mu);
    auto it = open.find(m.getField(41));
    if (it == open.end()) return cancelReject(m, id, "1", "unknown order " + m.getField(41));
    Order o = it->second;
    open.erase(it);
    o.clOrdId = m.getField(11);
    finished[o.clOrdId] = {o, "4"};
    FIX::Message er = report(o, "4", "4", 0, 0);
    er.setField(41, m.getField(41));
    FIX::Session::sendToTarget(er, id);
  }

  void replace(const FIX::Message& m, const FIX::SessionID& id) {
    std::lock_guard<std::mutex> g(mu);
    auto it = open.find(m.getField(41));
    if (it == open.end()) return cancelReject(m, id, "2", "unknown order " + m.getField(41));
    Order o = it->second;
    open.erase(it);
    const Instrument& in = instruments[o.symbol];
    o.clOrdId = m.getField(11);
    long long qty = o.qty, px = o.price;
    if (m.isSetField(38) && !ticks(m.getField(38), 0, qty)) qty = o.qty;
    if (m.isSetField(44) && !ticks(m.getField(44), in.decimals, px)) px = o.price;
    o.qty = qty;
    o.price = px;
    FIX::Message er = report(o, "5", o.cum > 0 ? "1" : "0", 0, 0);
    er.setField(41, m.getField(41));
    FIX::Session::sendToTarget(er, id);
    FIX::Message fillMsg;
    if (fill(o, fillMsg)) FIX::Session::sendToTarget(fillMsg, id);
    if (o.cum < o.qty) open[o.clOrdId] = o;
    else finished[o.clOrdId] = {o, "2"};
  }

  // OrderMassStatusRequest: one status report per order of the day (open and finished), the last
  // with LastRptRequested=Y; with no orders, one report saying so (TotNumReports 0).
  void massStatus(const FIX::Message& m, const FIX::SessionID& id) {
    std::lock_guard<std::mutex> g(mu);
    std::string reqId = m.getField(584);
    std::vector<std::pair<Order, std::string>> all;
    for (auto& o : open) all.push_back({o.second, o.second.cum > 0 ? "1" : "0"});
    for (auto& f : finished) all.push_back(f.second);
    if (all.empty()) {
      Order none{"NONE", "NONE", "EURUSD", '1', '2', 0, 0, 0, 0};
      FIX::Message er = report(none, "I", "8", 0, 0);
      er.setField(584, reqId);
      er.setField(911, "0");
      er.setField(912, "Y");
      FIX::Session::sendToTarget(er, id);
      return;
    }
    for (size_t i = 0; i < all.size(); i++) {
      FIX::Message er = report(all[i].first, "I", all[i].second.c_str(), 0, 0);
      er.setField(584, reqId);
      er.setField(911, std::to_string(all.size()));
      er.setField(912, i + 1 == all.size() ? "Y" : "N");
      FIX::Session::sendToTarget(er, id);
    }
  }

  // RequestForPositions: an ack naming the number of reports, then one PositionReport per symbol.
  void positions(const FIX::Message& m, const FIX::SessionID& id) {
    std::lock_guard<std::mutex> g(mu);
    std::string reqId = m.getField(710), account = m.getField(1), date = m.getField(715);
    FIX::Message ack = make("AO");
    ack.setField(721, "PA" + std::to_string(nextId++));
    ack.setField(710, reqId);
    ack.setField(727, std::to_string(position.size()));
    ack.setField(728, "0");
    ack.setField(729, "0");
    ack.setField(1, account);
    ack.setField(581, "1");
    FIX::Session::sendToTarget(ack, id);
    for (auto& p : position) {
      FIX::Message r = make("AP");
      r.setField(721, "PR" + std::to_string(nextId++));
      r.setField(710, reqId);
      r.setField(727, std::to_string(position.size()));
      r.setField(728, "0");
      r.setField(715, date);
      r.setField(1, account);
      r.setField(581, "1");
      r.setField(55, p.first);
      r.setField(730, "0");
      r.setField(731, "1");
      r.setField(734, "0");
      FIX::Group q(702, 703);
      q.setField(703, "TQ");
      q.setField(704, std::to_string(p.second > 0 ? p.second : 0));
      q.setField(705, std::to_string(p.second < 0 ? -p.second : 0));
      r.addGroup(q);
      FIX::Session::sendToTarget(r, id);
    }
  }

  // Disconnects the initiator, then fills every open order (see DROPFILL in the header).
  int disconnectAndFill() {
    FIX::Session* s = nullptr;
    {
      std::lock_guard<std::mutex> g(mu);
      if (hasSession) s = FIX::Session::lookupSession(session);
    }
    if (s != nullptr) s->disconnect();
    return fillAll();
  }

  // Fills every open order in full at its limit price (the market came to it while the client was away).
  int fillAll() {
    std::lock_guard<std::mutex> g(mu);
    int n = 0;
    for (auto& e : open) {
      Order o = e.second;
      long long qty = o.qty - o.cum;
      o.cum += qty;
      o.notional += qty * o.price;
      position[o.symbol] += o.side == '1' ? qty : -qty;
      FIX::Message er = report(o, "F", "2", qty, o.price);
      FIX::Session::sendToTarget(er, session);
      finished[o.clOrdId] = {o, "2"};
      n++;
    }
    open.clear();
    return n;
  }
};

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: acceptor <port> <SenderCompID> <TargetCompID> <dictionary.xml>" << std::endl;
    return 2;
  }
  std::ostringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=acceptor\nStartTime=00:00:00\nEndTime=00:00:00\nSocketReuseAddress=Y\n"
      << "ResetOnLogon=N\nResetOnLogout=N\nResetOnDisconnect=N\nSocketNodelay=Y\nUseDataDictionary=Y\nDataDictionary=" << argv[4] << "\n"
      << "SocketAcceptPort=" << argv[1] << "\n"
      << "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=" << argv[2] << "\nTargetCompID=" << argv[3] << "\n";
  try {
    std::istringstream in(cfg.str());
    FIX::SessionSettings settings(in);
    Provider app;
    FIX::MemoryStoreFactory store;
    FIX::ScreenLogFactory log(false, false, false);
    FIX::ThreadedSocketAcceptor acceptor(app, store, settings, log);
    acceptor.start();
    say(std::string("READY ") + argv[1]);
    std::atomic<bool> running{true};
    std::thread quotes([&] {
      for (int k = 1; running; k++) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        app.control();
        if (k % 5 == 0) app.publish();
      }
    });
    std::string line;
    while (std::getline(std::cin, line)) {
      if (line == "FILLALL") say("FILLED " + std::to_string(app.fillAll()));
      else if (line == "DROPFILL") say("DROPFILLED " + std::to_string(app.disconnectAndFill()));
      else if (line.rfind("POSITION ", 0) == 0) {
        std::istringstream in(line.substr(9));
        std::string symbol;
        long long qty = 0;
        in >> symbol >> qty;
        long long now;
        {
          std::lock_guard<std::mutex> g(app.mu);
          now = app.position[symbol] += qty;
        }
        say("POSITION " + symbol + " " + std::to_string(now));
      }
    }
    running = false;
    quotes.join();
    acceptor.stop(true);
  } catch (std::exception& e) {
    std::cerr << "ERROR " << e.what() << std::endl;
    return 1;
  }
  return 0;
}
