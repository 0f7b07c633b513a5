/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * settings_core.c - the core's settings: flow timeouts and limits, what a
 * byte is, the parser's switches, output formatting.  Names follow T2 where
 * T2 has the same knob.
 */
#include <stdlib.h>
#include <string.h>
#include "config.h"
#include "module.h"

static const struct xf_setting core_settings[] = {
	{ "FLOW_TIMEOUT", XF_ST_DOUBLE, "182",
	  "idle timeout in seconds: a flow with no packet for this long ends (T2's default)", NULL, 0.000001, 1e9 },
	{ "FLOW_ACTIVE_TIMEOUT", XF_ST_DOUBLE, "0",
	  "active timeout in seconds: a longer flow is cut and continues as a new flow (0 = off)", NULL, 0, 1e9 },
	{ "TCP_CLOSE_TIMEOUT", XF_ST_DOUBLE, "5",
	  "seconds a TCP flow lingers after its FIN handshake or RST before it ends (late ACKs and retransmissions join it, and so does a new connection on the same ports)", NULL, 0, 1e9 },
	{ "TCP_EARLY_END", XF_ST_BOOL, "1",
	  "end TCP flows early after FIN handshake / RST (else only by timeouts)", NULL, 0, 0 },
	{ "MAX_FLOWS", XF_ST_INT, "4194304",
	  "flows held in memory at most; beyond, the least recently seen flow is ended early (flagged, counted)", NULL, 16, 1e9 },
	{ "BYTE_LAYER", XF_ST_ENUM, "7",
	  "what numBytes*/packet sizes count: 2 frame on the wire, 3 IP datagram, 4 L4 header+payload, 7 payload (T2's default)",
	  "2|3|4|7", 0, 0 },
	{ "L2_FLOWS", XF_ST_BOOL, "1", "meter non-IP frames as flows keyed on MACs and ethertype", NULL, 0, 0 },
	{ "DECAP_TUNNELS", XF_ST_BOOL, "1",
	  "decapsulate GRE (also WCCP, ERSPAN, Aruba 802.11)/VXLAN/Geneve/Teredo/GTP-U/GRE-in-UDP/AYIYA/IP-in-IP and 802.1ah PBB; key flows on the inner headers", NULL, 0, 0 },
	{ "VLAN_IN_KEY", XF_ST_BOOL, "1", "the innermost VLAN ID is part of the flow key", NULL, 0, 0 },
	{ "IPV4_CSUM", XF_ST_BOOL, "1",
	  "verify IPv4 header checksums: bad ones are counted and flagged, packets still metered", NULL, 0, 0 },
	{ "VXLAN_PORT", XF_ST_INT, "4789", "UDP port decapsulated as VXLAN (0 = off)", NULL, 0, 65535 },
	{ "GENEVE_PORT", XF_ST_INT, "6081", "UDP port decapsulated as Geneve (0 = off)", NULL, 0, 65535 },
	{ "TEREDO_PORT", XF_ST_INT, "3544", "UDP port decapsulated as Teredo (0 = off)", NULL, 0, 65535 },
	{ "GTP_PORT", XF_ST_INT, "2152", "UDP port decapsulated as GTP-U, G-PDU messages (0 = off)", NULL, 0, 65535 },
	{ "GRE_UDP_PORT", XF_ST_INT, "4754", "UDP destination port decapsulated as GRE in UDP (0 = off)", NULL, 0, 65535 },
	{ "AYIYA_PORT", XF_ST_INT, "5072", "UDP port decapsulated as AYIYA, forward messages (0 = off)", NULL, 0, 65535 },
	{ "FRAG_TIMEOUT", XF_ST_DOUBLE, "30",
	  "seconds an IP fragment's flow association is kept for its later fragments", NULL, 0.001, 1e6 },
	{ "TSTAMP_DECIMALS", XF_ST_INT, "6", "decimals of timestamps and durations (6 = us, 9 = ns)", NULL, 0, 9 },
	{ "L7_SNAPLEN", XF_ST_INT, "96", "packet mode: payload bytes written to l7Content", NULL, 0, 65535 },
	{ "JSON_OUTPUT", XF_ST_BOOL, "0", "also write PREFIX_flows.json (JSON lines, one object per flow direction)", NULL, 0, 0 },
	{ "FLOWS_TXT", XF_ST_BOOL, "1", "write PREFIX_flows.txt", NULL, 0, 0 },
	{ "PROGRESS", XF_ST_ENUM, "auto", "progress line on stderr while reading files (auto = on a TTY)", "auto|on|off", 0, 0 },
};

static void __attribute__((constructor)) core_settings_register(void)
{
	xf_settings_register(core_settings, sizeof(core_settings) / sizeof(core_settings[0]), "core");
}

/* The parser's and meter's configuration, as both engines hand it on. */
void xf_cfg_from_settings(struct xf_cfg *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->byte_layer = (uint8_t)atoi(xf_cfg_str("BYTE_LAYER"));
	cfg->modules = xf_modules_meter_bits();
	cfg->decap_tunnels = xf_cfg_bool("DECAP_TUNNELS");
	cfg->l2_flows = xf_cfg_bool("L2_FLOWS");
	cfg->vlan_in_key = xf_cfg_bool("VLAN_IN_KEY");
	cfg->ipv4_csum = xf_cfg_bool("IPV4_CSUM");
	cfg->vxlan_port = (uint16_t)xf_cfg_int("VXLAN_PORT");
	cfg->geneve_port = (uint16_t)xf_cfg_int("GENEVE_PORT");
	cfg->teredo_port = (uint16_t)xf_cfg_int("TEREDO_PORT");
	cfg->gtp_port = (uint16_t)xf_cfg_int("GTP_PORT");
	cfg->gre_udp_port = (uint16_t)xf_cfg_int("GRE_UDP_PORT");
	cfg->ayiya_port = (uint16_t)xf_cfg_int("AYIYA_PORT");
}
