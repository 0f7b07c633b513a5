// SPDX-License-Identifier: BSD-3-Clause
/*
 * hdrdesc.c - header descriptions as T2 writes them: one token per header,
 * outermost first, joined by ':'.
 */
#include <xdpflow/abi.h>

#include "hdrdesc.h"

static const char *const hdr_names[XF_H__COUNT] = {
	[XF_H_NONE]       = "none",
	[XF_H_ETH]        = "eth",
	[XF_H_VLAN]       = "vlan",
	[XF_H_MPLS]       = "mpls",
	[XF_H_PPPOE]      = "pppoe",
	[XF_H_PPP]        = "ppp",
	[XF_H_SLL]        = "sll",
	[XF_H_SLL2]       = "sll2",
	[XF_H_NULL]       = "null",
	[XF_H_LLC]        = "llc",
	[XF_H_ARP]        = "arp",
	[XF_H_ETHTYPE]    = "ethtype",
	[XF_H_IPV4]       = "ipv4",
	[XF_H_IPV6]       = "ipv6",
	[XF_H_IP6_HOPOPT] = "hopopt",
	[XF_H_IP6_ROUTE]  = "route",
	[XF_H_IP6_FRAG]   = "frag",
	[XF_H_IP6_DSTOPT] = "dstopt",
	[XF_H_IP6_MH]     = "mh",
	[XF_H_AH]         = "ah",
	[XF_H_TCP]        = "tcp",
	[XF_H_UDP]        = "udp",
	[XF_H_ICMP]       = "icmp",
	[XF_H_ICMP6]      = "icmpv6",
	[XF_H_SCTP]       = "sctp",
	[XF_H_GRE]        = "gre",
	[XF_H_VXLAN]      = "vxlan",
	[XF_H_GENEVE]     = "geneve",
	[XF_H_TEREDO]     = "teredo",
	[XF_H_IPPROTO]    = "ipproto",
	[XF_H_ERSPAN]     = "erspan",
	[XF_H_GTP]        = "gtp",
	[XF_H_AYIYA]      = "ayiya",
	[XF_H_WCCP]       = "wccp",
	[XF_H_PBB]        = "pbb",
	[XF_H_WLAN]       = "wlan",
};

struct name16 {
	uint16_t    num;
	const char *name;
};

/* non-IP ethertypes that make L2 flows (names as T2/Wireshark use them) */
static const struct name16 ethertype_names[] = {
	{ 0x0806, "arp" },    { 0x0842, "wol" },     { 0x22f0, "avtp" },
	{ 0x22f3, "trill" },  { 0x6002, "mopdl" },   { 0x6003, "decnet" },
	{ 0x6558, "teb" },    { 0x8035, "rarp" },    { 0x809b, "atalk" },
	{ 0x80f3, "aarp" },   { 0x8100, "vlan" },    { 0x8137, "ipx" },
	{ 0x8808, "pause" },  { 0x8809, "slow" },    { 0x8847, "mpls" },
	{ 0x8848, "mpls" },   { 0x8863, "pppoed" },  { 0x8864, "pppoes" },
	{ 0x886d, "intelans" }, { 0x887b, "homeplug" }, { 0x888e, "8021x" },
	{ 0x8892, "profinet" }, { 0x889a, "hyperscsi" }, { 0x88a2, "aoe" },
	{ 0x88a4, "ethercat" }, { 0x88a8, "8021ad" }, { 0x88ab, "powerlink" },
	{ 0x88b8, "goose" },  { 0x88ba, "sv" },      { 0x88cc, "lldp" },
	{ 0x88cd, "sercos" }, { 0x88e1, "homeplugav" }, { 0x88e3, "mrp" },
	{ 0x88e5, "macsec" }, { 0x88e7, "pbb" },     { 0x88f7, "ptp" },
	{ 0x88f8, "ncsi" },   { 0x88fb, "prp" },     { 0x8902, "cfm" },
	{ 0x8906, "fcoe" },   { 0x8914, "fip" },     { 0x8915, "roce" },
	{ 0x892f, "hsr" },    { 0x9000, "loop" },    { 0x9100, "qinq" },
	{ 0xcafe, "llt" },
};

/* IP protocols without a decoder of their own (XF_H_IPPROTO) */
static const struct name16 ipproto_names[] = {
	{ 0, "hopopt" },   { 1, "icmp" },    { 2, "igmp" },     { 4, "ipip" },
	{ 6, "tcp" },      { 8, "egp" },     { 9, "igp" },      { 17, "udp" },
	{ 33, "dccp" },    { 41, "ipv6" },   { 43, "route" },   { 44, "frag" },
	{ 46, "rsvp" },    { 47, "gre" },    { 50, "esp" },     { 51, "ah" },
	{ 58, "icmpv6" },  { 59, "nonxt" },  { 60, "dstopt" },  { 88, "eigrp" },
	{ 89, "ospf" },    { 94, "ipip" },   { 97, "etherip" }, { 98, "encap" },
	{ 103, "pim" },    { 108, "ipcomp" }, { 112, "vrrp" },  { 115, "l2tp" },
	{ 118, "stp" },    { 124, "isis" },  { 132, "sctp" },   { 135, "mh" },
	{ 136, "udplite" }, { 137, "mpls" }, { 139, "hip" },    { 140, "shim6" },
	{ 143, "ethernet" },
};

static const char *name16_find(const struct name16 *t, unsigned n, uint16_t num)
{
	unsigned i;

	for (i = 0; i < n; i++)
		if (t[i].num == num)
			return t[i].name;
	return NULL;
}

const char *xf_hdr_name(unsigned code)
{
	if (code < XF_H__COUNT && hdr_names[code])
		return hdr_names[code];
	return "?";
}

static void put_ethertype(struct xf_outbuf *ob, uint16_t type)
{
	const char *s = name16_find(ethertype_names,
				    sizeof(ethertype_names) / sizeof(ethertype_names[0]), type);

	if (s)
		xf_ob_puts(ob, s);
	else
		xf_ob_hex(ob, type, 4);
}

static void put_ipproto(struct xf_outbuf *ob, uint8_t proto)
{
	const char *s = name16_find(ipproto_names,
				    sizeof(ipproto_names) / sizeof(ipproto_names[0]), proto);

	if (s)
		xf_ob_puts(ob, s);
	else
		xf_ob_u64(ob, proto);
}

void xf_hdrdesc_format(struct xf_outbuf *ob, const uint8_t *hdr, unsigned n,
		       uint16_t ethertype, uint8_t l4_proto)
{
	unsigned i;

	if (n > XF_MAX_HDRS)
		n = XF_MAX_HDRS;
	for (i = 0; i < n; i++) {
		if (i)
			xf_ob_putc(ob, ':');
		if (hdr[i] == XF_H_ETHTYPE)
			put_ethertype(ob, ethertype);
		else if (hdr[i] == XF_H_IPPROTO)
			put_ipproto(ob, l4_proto);
		else
			xf_ob_puts(ob, xf_hdr_name(hdr[i]));
	}
}
