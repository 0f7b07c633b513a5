/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tcp_states.c - T2's tcpStates: the TCP connection state machine of the
 * shared meter (include/xdpflow/meter.h) and its anomalies.  Both columns
 * describe the whole connection, so the A and B lines carry the same values;
 * XF_TS_RST_BY_A/B name the sides in A/B terms.
 *
 * tcpStatesAFlags bits (XF_TS_* in abi.h):
 *   0x0001 malformed connection establishment   0x0040 reset sent by B
 *   0x0002 malformed teardown                   0x0080 no SYN: started mid-stream
 *   0x0004 impossible flags in the state        0x0100 SYN retransmitted
 *   0x0008 packets after the close              0x0200 SYN answered by RST (scan/refused)
 *   0x0010 packets after a reset                0x0400 simultaneous open
 *   0x0020 reset sent by A
 * Non-TCP flows print 0x0000 and an empty tcpState.
 */
#include "module.h"

static const char *const state_names[XF_TCP__COUNT] = {
	[XF_TCP_NONE] = "",
	[XF_TCP_NEW] = "NEW",
	[XF_TCP_SYN_SENT] = "SYN_SENT",
	[XF_TCP_SYN_RCVD] = "SYN_RCVD",
	[XF_TCP_ESTABLISHED] = "ESTABLISHED",
	[XF_TCP_FIN_WAIT] = "FIN_WAIT",
	[XF_TCP_CLOSING] = "CLOSING",
	[XF_TCP_CLOSED] = "CLOSED",
	[XF_TCP_RESET] = "RESET",
};

static void fmt_anom(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	xf_ob_hex(ob, fc->f.tcp_state_anom, 4);
}

static void fmt_state(struct xf_outbuf *ob, const struct xf_flow_ctx *fc, int dir)
{
	uint8_t st = fc->f.tcp_state;

	if (st == XF_TCP_NONE)
		return;                 /* not TCP: an empty field */
	xf_ob_puts(ob, st < XF_TCP__COUNT ? state_names[st] : "?");
}

static const struct xf_column ts_columns[] = {
	{ "tcpStatesAFlags", "H16", "TCP state machine anomalies (see docs)", XF_J_STR, fmt_anom, NULL },
	{ "tcpState", "S", "Final TCP state: NEW SYN_SENT SYN_RCVD ESTABLISHED FIN_WAIT CLOSING CLOSED RESET (empty: not TCP)", XF_J_STR, fmt_state, NULL },
};

static struct xf_module tcp_states = {
	.name = "tcpStates",
	.desc = "TCP connection state machine and its anomalies",
	.default_on = 1,
	.meter_bit = XF_MOD_TCP_STATES,
	.columns = ts_columns,
	.ncolumns = sizeof(ts_columns) / sizeof(ts_columns[0]),
};
XF_MODULE(tcp_states)
