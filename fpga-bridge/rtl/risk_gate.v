// Kestrel pre-trade risk gate.
//
// Checks orders in a fixed three-cycle pipeline (accept edge, arithmetic edge, verdict edge),
// accepting one order per cycle, against limits loaded through a register port. State that an
// order changes (position, rate window and count) is read in the verdict stage, where the
// previous order has just written it, so back-to-back orders need no stall or forwarding. The
// host issues register writes only while no order is in flight. The first failing check wins:
//   1 kill switch, 2 unknown/disabled instrument, 3 bad order (qty not in 1..2^31-1, price 0),
//   4 price collar |price-ref|*10000 > ref*collar_bps, 5 notional price*qty > max_notional,
//   6 position |pos + signed qty| > max_pos, 7 rate (count >= rate_limit in window ts >> shift).
// The rate window rolls on every order; an accepted order books its size into the position and
// one into the window count. The golden model is fpga-bridge/golden/model.ts; the register map is
// fpga-bridge/golden/registers.ts.
`default_nettype none

module risk_gate #(
    parameter integer INST_BITS = 5
) (
    input  wire        clk,
    input  wire        rst,
    // Register port: per-instrument at {inst, field[2:0]}, global at 0x100 + n.
    input  wire        reg_we,
    input  wire [15:0] reg_addr,
    input  wire [63:0] reg_wdata,
    // Order in (valid/ready).
    input  wire        in_valid,
    output wire        in_ready,
    input  wire [15:0] in_inst,
    input  wire        in_sell,
    input  wire [31:0] in_price,
    input  wire [31:0] in_qty,
    input  wire [63:0] in_ts,
    // Verdict out: one-cycle pulse.
    output reg         out_valid,
    output reg  [3:0]  out_code
);
    localparam integer N = 1 << INST_BITS;

    localparam [3:0] ACCEPT = 4'd0, KILL = 4'd1, UNKNOWN = 4'd2, BAD = 4'd3, COLLAR = 4'd4,
                     NOTIONAL = 4'd5, POSITION = 4'd6, RATE = 4'd7;

    // Limit and state registers.
    reg        [30:0] max_pos      [0:N-1];
    reg        [47:0] max_notional [0:N-1];
    reg        [15:0] collar_bps   [0:N-1];
    reg        [31:0] ref_price    [0:N-1];
    reg signed [31:0] pos          [0:N-1];
    reg               enabled      [0:N-1];
    reg               kill;
    reg        [31:0] rate_limit;
    reg        [5:0]  rate_shift;
    reg        [63:0] rate_window;
    reg        [31:0] rate_count;

    // Stage 1: the order and its instrument's registers.
    reg               v1;
    reg        [INST_BITS-1:0] s1_inst;
    reg               s1_known, s1_sell;
    reg        [31:0] s1_price, s1_qty, s1_ref;
    reg        [63:0] s1_ts;
    reg        [30:0] s1_max_pos;
    reg        [47:0] s1_max_notional;
    reg        [15:0] s1_collar;

    // Stage 2: products and comparisons' operands.
    reg               v2;
    reg        [INST_BITS-1:0] s2_inst;
    reg               s2_known, s2_bad;
    reg        [45:0] s2_collar_lhs;
    reg        [47:0] s2_collar_rhs;
    reg        [63:0] s2_notional;
    reg        [47:0] s2_max_notional;
    reg signed [33:0] s2_signed_qty;
    reg        [30:0] s2_max_pos;
    reg        [63:0] s2_window;

    assign in_ready = 1'b1;

    wire              in_known = ((in_inst >> INST_BITS) == 16'd0) && enabled[in_inst[INST_BITS-1:0]];
    wire       [31:0] s1_diff = (s1_price >= s1_ref) ? s1_price - s1_ref : s1_ref - s1_price;
    wire signed [33:0] s1_signed_qty = s1_sell ? -$signed({2'b00, s1_qty}) : $signed({2'b00, s1_qty});

    wire signed [31:0] s2_pos = pos[s2_inst];
    /* verilator lint_off UNUSEDSIGNAL */
    wire signed [33:0] s2_next_pos = $signed({{2{s2_pos[31]}}, s2_pos}) + s2_signed_qty; // 33:32 unused when accepted
    /* verilator lint_on UNUSEDSIGNAL */
    wire       [33:0] s2_abs_next = s2_next_pos[33] ? -s2_next_pos : s2_next_pos;
    wire              s2_roll = s2_window != rate_window;
    wire       [31:0] s2_count = s2_roll ? 32'd0 : rate_count;
    reg        [3:0]  s2_code;

    always @(*) begin
        if (kill) s2_code = KILL;
        else if (!s2_known) s2_code = UNKNOWN;
        else if (s2_bad) s2_code = BAD;
        else if ({2'b00, s2_collar_lhs} > s2_collar_rhs) s2_code = COLLAR;
        else if (s2_notional > {16'd0, s2_max_notional}) s2_code = NOTIONAL;
        else if (s2_abs_next > {3'd0, s2_max_pos}) s2_code = POSITION;
        else if (s2_count >= rate_limit) s2_code = RATE;
        else s2_code = ACCEPT;
    end

    integer k;
    always @(posedge clk) begin
        if (rst) begin
            v1 <= 1'b0;
            v2 <= 1'b0;
            out_valid <= 1'b0;
            out_code <= ACCEPT;
            kill <= 1'b0;
            rate_limit <= 32'd0;
            rate_shift <= 6'd0;
            rate_window <= 64'd0;
            rate_count <= 32'd0;
            for (k = 0; k < N; k = k + 1) begin
                max_pos[k] <= 31'd0;
                max_notional[k] <= 48'd0;
                collar_bps[k] <= 16'd0;
                ref_price[k] <= 32'd0;
                pos[k] <= 32'sd0;
                enabled[k] <= 1'b0;
            end
        end else begin
            // Stage 0 -> 1: accept an order, read its instrument's registers.
            v1 <= in_valid && in_ready;
            if (in_valid && in_ready) begin
                s1_inst <= in_inst[INST_BITS-1:0];
                s1_known <= in_known;
                s1_sell <= in_sell;
                s1_price <= in_price;
                s1_qty <= in_qty;
                s1_ts <= in_ts;
                s1_ref <= ref_price[in_inst[INST_BITS-1:0]];
                s1_max_pos <= max_pos[in_inst[INST_BITS-1:0]];
                s1_max_notional <= max_notional[in_inst[INST_BITS-1:0]];
                s1_collar <= collar_bps[in_inst[INST_BITS-1:0]];
            end

            // Stage 1 -> 2: multiplies, signed size, rate window.
            v2 <= v1;
            if (v1) begin
                s2_inst <= s1_inst;
                s2_known <= s1_known;
                s2_bad <= (s1_qty == 32'd0) || s1_qty[31] || (s1_price == 32'd0);
                s2_collar_lhs <= s1_diff * 46'd10000;
                s2_collar_rhs <= s1_ref * s1_collar;
                s2_notional <= s1_price * s1_qty;
                s2_max_notional <= s1_max_notional;
                s2_signed_qty <= s1_signed_qty;
                s2_max_pos <= s1_max_pos;
                s2_window <= s1_ts >> rate_shift;
            end

            // Stage 2: verdict against the current position and rate state, booking.
            out_valid <= v2;
            if (v2) begin
                out_code <= s2_code;
                rate_window <= s2_window;
                rate_count <= s2_count + ((s2_code == ACCEPT) ? 32'd1 : 32'd0);
                if (s2_code == ACCEPT) pos[s2_inst] <= s2_next_pos[31:0];
            end

            // Register writes (the host issues them between orders).
            if (reg_we) begin
                if (reg_addr[15:8] != 8'd0) begin
                    case (reg_addr)
                        16'h100: kill <= reg_wdata != 64'd0;
                        16'h101: rate_limit <= reg_wdata[31:0];
                        16'h102: rate_shift <= reg_wdata[5:0];
                        16'h103: rate_window <= reg_wdata;
                        16'h104: rate_count <= reg_wdata[31:0];
                        default: ;
                    endcase
                end else if ((reg_addr[7:3] >> INST_BITS) == 5'd0) begin
                    case (reg_addr[2:0])
                        3'd0: max_pos[reg_addr[INST_BITS+2:3]] <= reg_wdata[30:0];
                        3'd1: max_notional[reg_addr[INST_BITS+2:3]] <= reg_wdata[47:0];
                        3'd2: collar_bps[reg_addr[INST_BITS+2:3]] <= reg_wdata[15:0];
                        3'd3: ref_price[reg_addr[INST_BITS+2:3]] <= reg_wdata[31:0];
                        3'd4: pos[reg_addr[INST_BITS+2:3]] <= reg_wdata[31:0];
                        3'd5: enabled[reg_addr[INST_BITS+2:3]] <= reg_wdata[0];
                        default: ;
                    endcase
                end
            end
        end
    end
endmodule

`default_nettype wire
