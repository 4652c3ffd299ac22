import { expect, test } from "bun:test";
import { hmacSha256Hex, queryString, signQuery } from "./sign.ts";

// The example of Binance's spot API docs ("SIGNED endpoint examples for POST /api/v3/order", HMAC keys).
const SECRET = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j";
const QUERY = "symbol=LTCBTC&side=BUY&type=LIMIT&timeInForce=GTC&quantity=1&price=0.1&recvWindow=5000&timestamp=1499827319559";

test("the HMAC-SHA256 signature equals Binance's published example byte for byte", () => {
  expect(hmacSha256Hex(SECRET, QUERY)).toBe("c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71");
  expect(signQuery(QUERY, SECRET)).toBe(`${QUERY}&signature=c8db56825ae71d6d79447849e617115f4a920fa2acdcab2b053c4b2838bd6b71`);
});

test("non-ASCII parameters are percent-encoded before signing, as in Binance's second example", () => {
  const q = queryString({ symbol: "１２３４５６", side: "BUY", type: "LIMIT", timeInForce: "GTC", quantity: 1, price: "0.1", recvWindow: 5000, timestamp: 1499827319559 });
  expect(q.startsWith("symbol=%EF%BC%91%EF%BC%92%EF%BC%93%EF%BC%94%EF%BC%95%EF%BC%96&side=BUY")).toBe(true);
  expect(hmacSha256Hex(SECRET, q)).toBe("e1353ec6b14d888f1164ae9af8228a3dbd508bc82eb867db8ab6046442f33ef3");
});

test("the query string keeps the parameters in the order they are written", () => {
  expect(queryString({ symbol: "BTCUSDT", side: "SELL", quantity: "0.001" })).toBe("symbol=BTCUSDT&side=SELL&quantity=0.001");
});
