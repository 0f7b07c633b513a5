/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * abi.h - the one ABI between the parser, the meter, the kernel engine and
 * the userspace collector.  Fixed-width types only, explicit padding, sizes
 * pinned with _Static_assert so the BPF object and the collector cannot
 * drift apart.  Everything here compiles for `clang -target bpf` and for the
 * host compiler.
 */
#ifndef XDPFLOW_ABI_H
#define XDPFLOW_ABI_H

#include <linux/types.h>
#include <linux/bpf.h>          /* struct bpf_spin_lock */

#define XF_MAX_HDRS      16     /* header descriptors recorded per packet */
#define XF_MAX_VLANS      2     /* VLAN IDs recorded per packet (outer, inner) */
#define XF_MAX_TUNNELS    2     /* tunnel layers decapsulated */
#define XF_ADDR_LEN      16     /* IPv6, IPv4 in the first 4 bytes, MAC in 6 */

/* ---- header descriptors: the tokens of hdrDesc ("eth:vlan:ipv4:tcp") ---- */
enum xf_hdr {
	XF_H_NONE = 0,
	XF_H_ETH,
	XF_H_VLAN,
	XF_H_MPLS,
	XF_H_PPPOE,
	XF_H_PPP,
	XF_H_SLL,
	XF_H_SLL2,
	XF_H_NULL,              /* BSD loopback / null */
	XF_H_LLC,
	XF_H_ARP,
	XF_H_ETHTYPE,           /* any other ethertype: name derived from ethType */
	XF_H_IPV4,
	XF_H_IPV6,
	XF_H_IP6_HOPOPT,
	XF_H_IP6_ROUTE,
	XF_H_IP6_FRAG,
	XF_H_IP6_DSTOPT,
	XF_H_IP6_MH,
	XF_H_AH,
	XF_H_TCP,
	XF_H_UDP,
	XF_H_ICMP,
	XF_H_ICMP6,
	XF_H_SCTP,
	XF_H_GRE,
	XF_H_VXLAN,
	XF_H_GENEVE,
	XF_H_TEREDO,
	XF_H_IPPROTO,           /* any other IP protocol: name derived from l4Proto */
	XF_H_ERSPAN,
	XF_H_GTP,               /* GTPv1-U G-PDU (GRE in UDP shows as udp:gre) */
	XF_H_AYIYA,
	XF_H_WCCP,              /* GRE protocol 0x883E: WCCP redirect */
	XF_H_PBB,               /* 802.1ah I-TAG + customer MACs (MAC-in-MAC) */
	XF_H_WLAN,              /* 802.11 data frame (Aruba GRE payload) */
	XF_H__COUNT
};

/* ---- parse outcome: why parsing stopped (kept apart as tcpdump does) ---- */
enum xf_parse_reason {
	XF_PR_OK = 0,           /* parsed down to L4 (or the last layer we know) */
	XF_PR_TRUNCATED,        /* the capture ended inside a header */
	XF_PR_MALFORMED,        /* a header field is impossible (IHL < 5, doff < 5, ...) */
	XF_PR_UNSUPPORTED,      /* link type or protocol we do not decode */
	XF_PR__COUNT
};

/* ---- per-packet status bits set by the parser (struct xf_pkt.status) ---- */
#define XF_PS_VLAN          (1u << 0)
#define XF_PS_MPLS          (1u << 1)
#define XF_PS_PPPOE         (1u << 2)
#define XF_PS_TUNNEL        (1u << 3)   /* decapsulated GRE/VXLAN/Geneve/Teredo/GTP-U/AYIYA/IP-in-IP */
#define XF_PS_IPV4          (1u << 4)
#define XF_PS_IPV6          (1u << 5)
#define XF_PS_FRAG          (1u << 6)   /* an IP fragment */
#define XF_PS_FRAG_FIRST    (1u << 7)   /* the fragment at offset 0 (carries L4) */
#define XF_PS_IP_OPTIONS    (1u << 8)
#define XF_PS_BAD_IPCSUM    (1u << 9)   /* IPv4 header checksum wrong */
#define XF_PS_HAS_L4        (1u << 10)  /* sport/dport and L4 fields are valid */
#define XF_PS_L2_ONLY       (1u << 11)  /* no IP: flow keyed on MACs + ethertype */
#define XF_PS_SNAPPED       (1u << 12)  /* capture (or PPPoE/GTP payload) length < IP length */
#define XF_PS_TRUNCATED     (1u << 13)  /* reason == XF_PR_TRUNCATED */
#define XF_PS_MALFORMED     (1u << 14)  /* reason == XF_PR_MALFORMED */
#define XF_PS_IP6_EXT       (1u << 15)  /* IPv6 extension headers present */
#define XF_PS_ICMP_ECHO     (1u << 16)  /* ICMP/ICMPv6 echo: id in the key */
#define XF_PS_L2_TRAILER    (1u << 17)  /* bytes after the IP datagram (padding/trailer) */

/* TCP option presence bits (xf_pkt.tcp_opts, xf_dir.tcp_opts) */
#define XF_TO_MSS           (1u << 0)
#define XF_TO_WSCALE        (1u << 1)
#define XF_TO_SACK_OK       (1u << 2)
#define XF_TO_SACK          (1u << 3)
#define XF_TO_TS            (1u << 4)
#define XF_TO_MPTCP         (1u << 5)
#define XF_TO_TFO           (1u << 6)
#define XF_TO_OTHER         (1u << 7)
#define XF_TO_CORRUPT       (1u << 8)   /* option list overruns the header */

/* IP flag bits (xf_pkt.ip_flags, xf_dir.ip_flags) */
#define XF_IPF_MF           0x01        /* more fragments */
#define XF_IPF_DF           0x02        /* don't fragment */
#define XF_IPF_RF           0x04        /* reserved (evil) bit */
#define XF_IPF_FRAG         0x08        /* fragment offset != 0 */

/*
 * What the parser extracts from one frame.  Offsets are from the start of
 * the frame; the *_len fields come from the headers (IP total length), not
 * from the capture, so Ethernet padding never counts as payload.
 */
struct xf_pkt {
	__u8  src[XF_ADDR_LEN];        /* innermost IP source (v4: first 4 bytes); L2 flow: MAC */
	__u8  dst[XF_ADDR_LEN];
	__u8  smac[6];                 /* innermost Ethernet header, zero if none */
	__u8  dmac[6];
	__u16 sport;                   /* host order; ICMP echo: identifier */
	__u16 dport;
	__u16 ethertype;               /* innermost L3 ethertype, host order */
	__u16 vlan[XF_MAX_VLANS];      /* VLAN IDs, outer first */
	__u8  nvlan;
	__u8  l4_proto;                /* IP protocol (next header after IPv6 extensions) */
	__u8  ip_ver;                  /* 0, 4 or 6 */
	__u8  reason;                  /* enum xf_parse_reason */
	__u8  nhdr;
	__u8  hdr[XF_MAX_HDRS];        /* enum xf_hdr, outermost first */
	__u8  ntunnel;
	__u8  ttl;                     /* TTL / hop limit */
	__u8  tos;                     /* TOS / traffic class */
	__u8  ip_flags;                /* XF_IPF_* */
	__u8  tcp_flags;
	__u8  tcp_hlen;                /* TCP header length in bytes */
	__u8  wscale;
	__u8  icmp_type;
	__u8  icmp_code;
	__u8  ip_opt_cnt;              /* IPv4 options / IPv6 extension headers */
	__u8  pad0;
	__u16 l3_off;
	__u16 l4_off;
	__u16 l7_off;
	__u16 l3_len;                  /* IP datagram length per its header */
	__u16 l4_len;                  /* L4 header + payload per IP header */
	__u16 l7_len;                  /* payload per headers (may exceed what was captured) */
	__u16 tcp_win;
	__u16 mss;
	__u16 tcp_opts;                /* XF_TO_* */
	__u16 frag_off;                /* fragment offset in bytes */
	__u16 pad1;
	__u32 frag_id;                 /* IPv4 IP ID or IPv6 fragment identification */
	__u32 seq;
	__u32 ack;
	__u32 status;                  /* XF_PS_* */
	__u32 wire_len;                /* set by the engine: frame length on the wire */
	__u32 cap_len;                 /* set by the engine: bytes available */
	__u16 ipid;
	__u16 pad2;
};

/*
 * Flow key: canonical (the lower (addr,port) end first) so both directions of
 * a conversation find the same entry.  Zeroed in full before being filled, so
 * hashing the raw bytes is safe.
 */
struct xf_flow_key {
	__u8  addr[2][XF_ADDR_LEN];
	__u16 port[2];
	__u16 vlan;                    /* innermost VLAN ID, 0 if none */
	__u16 ethertype;
	__u8  l4_proto;
	__u8  ip_ver;
	__u8  pad[2];
};

/*
 * Fragment key: joins later IP fragments (no L4 header) to the flow of the
 * first fragment.  Value: the flow key's ports for that datagram.
 */
struct xf_frag_key {
	__u8  src[XF_ADDR_LEN];
	__u8  dst[XF_ADDR_LEN];
	__u32 id;
	__u16 vlan;
	__u8  l4_proto;
	__u8  ip_ver;
};

struct xf_frag_val {
	__u16 sport;
	__u16 dport;
	__u32 pad;
	__u64 ts;                      /* first fragment time, for expiry */
};

/* Per-direction state: everything one side of the flow sent. */
struct xf_dir {
	__u64 pkts;
	__u64 bytes;                   /* per XF_CFG byte layer */
	__u64 l7_bytes;                /* payload bytes per headers */
	__u64 first_ts;                /* ns */
	__u64 last_ts;
	__u64 sum_sz;
	__u64 sumsq_sz;                /* sizes < 2^16: no overflow below 2^32 packets */
	__u64 min_iat;                 /* ns; valid when pkts > 1 */
	__u64 max_iat;
	__u64 sum_iat;
	__u64 sumsq_iat_lo;            /* 128-bit sum of squared IATs (ns^2) */
	__u64 sumsq_iat_hi;
	__u32 min_sz;
	__u32 max_sz;
	/* IP */
	__u16 ttl_chg;                 /* number of TTL changes */
	__u16 last_ipid;
	__u8  min_ttl;
	__u8  max_ttl;
	__u8  last_ttl;
	__u8  tos_or;
	__u8  ip_flags;                /* XF_IPF_* ORed */
	__u8  tcp_flags;               /* TCP flags ORed */
	__u16 tcp_opts;                /* XF_TO_* ORed */
	__u32 ip_opt_pkts;             /* packets with IP options / IPv6 ext headers */
	__u32 frag_pkts;
	/* TCP */
	__u32 isn;                     /* first sequence number seen */
	__u32 next_seq;                /* highest seq + len seen (wraps) */
	__u32 last_ack;
	__u32 tcp_anomaly;             /* XF_TA_* */
	__u32 retrans;                 /* segments fully below next_seq */
	__u32 ooo;                     /* segments above next_seq (a gap before them) */
	__u32 dup_acks;
	__u32 seq_faults;              /* retrans + ooo */
	__u32 ack_faults;              /* ACK went backwards */
	__u32 tcp_opt_pkts;            /* packets with TCP options */
	__u32 zero_win;                /* zero-window advertisements */
	__u32 win_init;
	__u32 win_min;
	__u32 win_max;
	__u32 win_last;
	__u32 win_up;
	__u32 win_down;
	__u32 win_chgdir;
	__u64 win_sum;
	__u64 seq_bytes;               /* in-order TCP payload bytes (new data) */
	__u16 mss;
	__u8  wscale;
	__s8  win_trend;               /* -1 last change down, 1 up, 0 none */
	__u16 min_dipid;               /* IPv4 ID delta between consecutive packets */
	__u16 max_dipid;
	__u32 ip_pkts;                 /* IPv4/IPv6 packets (TTL, IP ID fields valid when > 0) */
	__u32 tcp_pkts;                /* TCP segments with a header (seq state valid when > 0) */
	__u32 win_pkts;                /* segments in the window statistics (RST excluded) */
	__u32 seq_pkts;                /* segments whose payload advanced next_seq (new data) */
	__u32 ack_pkts;                /* segments with the ACK flag */
	__u32 seq_flags;               /* meter-private sequence state (XF_SQ_* in meter.h) */
	__u8  smac[6];                 /* MACs of this direction's first packet (a reply */
	__u8  dmac[6];                 /* may come from another router than the request went to) */
	__u32 pad_mac;
};

/* Per-flow record: the BPF flow map value and the userspace flow. */
struct xf_flow {
	struct bpf_spin_lock lock;     /* kernel: serialises both directions */
	__u32 a_side;                  /* key side (0/1) that sent the first packet */
	__u64 index;                   /* flowInd */
	__u64 first_ts;                /* ns, first packet of the flow */
	__u64 last_ts;
	__u64 stat;                    /* XF_FS_* */
	__u8  smac[6];                 /* MACs of the first packet (A -> B) */
	__u8  dmac[6];
	__u16 vlan[XF_MAX_VLANS];
	__u8  nvlan;
	__u8  nhdr;                    /* hdrDesc of the first packet */
	__u8  hdr[XF_MAX_HDRS];
	__u8  num_hdr_desc;            /* distinct header descriptions seen */
	__u8  tcp_state;               /* enum xf_tcp_state */
	__u16 tcp_state_anom;          /* XF_TS_* (tcpStatesAFlags) */
	__u32 hdr_hash[2];             /* first two distinct hdrDesc hashes */
	__u32 pad;
	struct xf_dir dir[2];          /* [0] = A, [1] = B */
};

/* ---- TCP connection states (tcpStates) ---- */
enum xf_tcp_state {
	XF_TCP_NONE = 0,        /* not TCP */
	XF_TCP_NEW,             /* first packet was not a SYN (mid-stream start) */
	XF_TCP_SYN_SENT,
	XF_TCP_SYN_RCVD,        /* SYN-ACK seen */
	XF_TCP_ESTABLISHED,
	XF_TCP_FIN_WAIT,        /* one side sent FIN */
	XF_TCP_CLOSING,         /* both sides sent FIN */
	XF_TCP_CLOSED,          /* both FINs acknowledged */
	XF_TCP_RESET,           /* RST seen */
	XF_TCP__COUNT
};

/* tcpStatesAFlags: anomalies of the connection state machine */
#define XF_TS_BAD_OPEN        0x0001  /* malformed connection establishment */
#define XF_TS_BAD_CLOSE       0x0002  /* malformed teardown */
#define XF_TS_BAD_FLAGS       0x0004  /* impossible flags while established */
#define XF_TS_AFTER_CLOSE     0x0008  /* packets after the connection closed */
#define XF_TS_AFTER_RESET     0x0010  /* packets after a reset */
#define XF_TS_RST_BY_A        0x0020  /* reset sent by the initiator */
#define XF_TS_RST_BY_B        0x0040  /* reset sent by the responder */
#define XF_TS_NO_SYN          0x0080  /* connection started mid-stream */
#define XF_TS_SYN_RETRY       0x0100  /* SYN retransmitted */
#define XF_TS_SCAN            0x0200  /* SYN answered by RST: likely scan/refused */
#define XF_TS_SIMOPEN         0x0400  /* simultaneous open */

/* tcpAnomaly (per direction) */
#define XF_TA_FIN_ACK         0x0001
#define XF_TA_SYN_ACK         0x0002
#define XF_TA_RST_ACK         0x0004
#define XF_TA_SYN_FIN         0x0008  /* scan / attack */
#define XF_TA_SYN_FIN_RST     0x0010
#define XF_TA_FIN_RST         0x0020
#define XF_TA_NULL            0x0040  /* no flags */
#define XF_TA_XMAS            0x0080  /* FIN PSH URG */
#define XF_TA_OPT_CORRUPT     0x0100  /* option list malformed */
#define XF_TA_SYN_RETRY       0x0200
#define XF_TA_RETRANS         0x0400  /* sequence number retransmitted */
#define XF_TA_OOO             0x0800  /* segment out of order (gap before it) */
#define XF_TA_ACK_BACK        0x1000  /* ACK number went backwards */
#define XF_TA_DUP_ACK         0x2000
#define XF_TA_ZERO_WIN        0x4000  /* zero window advertised */
#define XF_TA_KEEPALIVE       0x8000  /* keep-alive probe seen */
#define XF_TA_ZWIN_PROBE      0x10000 /* zero-window probe seen */
#define XF_TA_SEQ_WRAP        0x20000 /* sequence number wrapped past 2^32 */

/* ---- flowStat bits: documented in docs/formats.md, `--explain-flowstat` ---- */
#define XF_FS_DIR_B           0x0000000000000001ULL /* this line is the B direction */
#define XF_FS_IDLE_END        0x0000000000000002ULL /* ended by the idle timeout */
#define XF_FS_ACTIVE_END      0x0000000000000004ULL /* cut by the active timeout; continues */
#define XF_FS_CONTINUED       0x0000000000000008ULL /* continues a flow cut by the active timeout */
#define XF_FS_TCP_END         0x0000000000000010ULL /* ended early after FIN/RST */
#define XF_FS_INPUT_END       0x0000000000000020ULL /* flushed at end of input / shutdown */
#define XF_FS_EVICTED         0x0000000000000040ULL /* ended early: flow table full */
#define XF_FS_MAP_FULL        0x0000000000000080ULL /* kernel flow map was full: metered in userspace */
#define XF_FS_L2_FLOW         0x0000000000000100ULL /* non-IP flow keyed on MACs + ethertype */
#define XF_FS_IPV4            0x0000000000000200ULL
#define XF_FS_IPV6            0x0000000000000400ULL
#define XF_FS_VLAN            0x0000000000000800ULL
#define XF_FS_MPLS            0x0000000000001000ULL
#define XF_FS_PPPOE           0x0000000000002000ULL
#define XF_FS_TUNNEL          0x0000000000004000ULL /* keyed on the tunnel's inner headers */
#define XF_FS_FRAG            0x0000000000008000ULL /* IP fragments seen */
#define XF_FS_FRAG_NOHEAD     0x0000000000010000ULL /* fragment whose first fragment was not seen */
#define XF_FS_IP_OPTIONS      0x0000000000020000ULL /* IPv4 options / IPv6 extension headers */
#define XF_FS_SNAPPED         0x0000000000040000ULL /* packets cut by the capture snap length */
#define XF_FS_HDR_TRUNC       0x0000000000080000ULL /* a header was cut short by the capture */
#define XF_FS_MALFORMED       0x0000000000100000ULL /* a header field was impossible */
#define XF_FS_BAD_IPCSUM      0x0000000000200000ULL /* IPv4 header checksum wrong (offload?) */
#define XF_FS_BAD_L4CSUM      0x0000000000400000ULL /* L4 checksum wrong (with validation on) */
#define XF_FS_TIME_JUMP       0x0000000000800000ULL /* timestamps went backwards in the flow */
#define XF_FS_HDR_CHANGE      0x0000000001000000ULL /* header description changed mid-flow */
#define XF_FS_L2_TRAILER      0x0000000002000000ULL /* frames carried bytes after the IP datagram */
#define XF_FS_RINGBUF_LOSS    0x0000000004000000ULL /* kernel records of this flow were lost */
#define XF_FS_ICMP_ECHO       0x0000000008000000ULL /* ICMP echo: identifier used as port */
/* 0x0000000100000000 and up: stream reassembly (see reassembly docs) */
#define XF_FS_RS_GAP          0x0000000100000000ULL /* stream has a gap that never filled */
#define XF_FS_RS_OVERLAP      0x0000000200000000ULL /* overlapping data with different bytes */
#define XF_FS_RS_CAP_FLOW     0x0000000400000000ULL /* per-flow out-of-order buffer cap hit */
#define XF_FS_RS_CAP_GLOBAL   0x0000000800000000ULL /* global out-of-order buffer cap hit */

/* Byte layer for numBytes* and packet sizes (XF_CFG.byte_layer) */
enum xf_byte_layer {
	XF_BL_L2 = 2,           /* frame length on the wire */
	XF_BL_L3 = 3,           /* IP datagram length per its header */
	XF_BL_L4 = 4,           /* L4 header + payload */
	XF_BL_L7 = 7,           /* payload only (T2's default) */
};

/* Module bits (xf_cfg.modules) */
#define XF_MOD_BASIC_FLOW     0x01
#define XF_MOD_BASIC_STATS    0x02
#define XF_MOD_TCP_FLAGS      0x04
#define XF_MOD_TCP_STATES     0x08

/*
 * Configuration the per-packet code needs.  Kernel side: a `const volatile`
 * copy in .rodata set before load; userspace: filled from the settings.
 */
struct xf_cfg {
	__u8  byte_layer;              /* enum xf_byte_layer */
	__u8  modules;                 /* XF_MOD_* */
	__u8  decap_tunnels;           /* key on inner headers of GRE/VXLAN/... */
	__u8  l2_flows;                /* meter non-IP frames as L2 flows */
	__u8  vlan_in_key;
	__u8  ipv4_csum;               /* verify IPv4 header checksums */
	__u8  pad[2];
	__u16 vxlan_port;              /* UDP port of VXLAN (4789) */
	__u16 geneve_port;             /* UDP port of Geneve (6081) */
	__u16 teredo_port;             /* UDP port of Teredo (3544), 0 = off */
	__u16 gtp_port;                /* UDP port of GTP-U (2152), 0 = off */
	__u16 gre_udp_port;            /* UDP port of GRE in UDP (4754), 0 = off */
	__u16 ayiya_port;              /* UDP port of AYIYA (5072), 0 = off */
};

/* An IPv4 address lives in the first 4 bytes of a 16-byte address slot. */
#define XF_IP4(a) (*(const __u32 *)(a))

_Static_assert(sizeof(struct xf_flow_key) == 44, "xf_flow_key layout");
_Static_assert(sizeof(struct xf_frag_key) == 40, "xf_frag_key layout");
_Static_assert(sizeof(struct xf_pkt) % 4 == 0, "xf_pkt padding");
_Static_assert(sizeof(struct xf_dir) % 8 == 0, "xf_dir padding");
_Static_assert(sizeof(struct xf_flow) % 8 == 0, "xf_flow padding");
_Static_assert(sizeof(struct xf_cfg) == 20, "xf_cfg layout");

/*
 * Kernel engine counters: one slot each in a per-CPU array the collector sums
 * (packets, parse outcomes, and every place the kernel can lose something).
 */
enum xf_kcounter {
	XF_KC_PKTS = 0,
	XF_KC_BYTES_WIRE,
	XF_KC_BYTES_CAP,
	XF_KC_PARSE_OK,         /* XF_KC_PARSE_OK + enum xf_parse_reason */
	XF_KC_PARSE_TRUNCATED,
	XF_KC_PARSE_MALFORMED,
	XF_KC_PARSE_UNSUPPORTED,
	XF_KC_V4,
	XF_KC_V6,
	XF_KC_L2,
	XF_KC_TCP,
	XF_KC_UDP,
	XF_KC_ICMP,
	XF_KC_SCTP,
	XF_KC_OTHER_L4,
	XF_KC_FRAG,
	XF_KC_SNAPPED,
	XF_KC_BAD_IPCSUM,
	XF_KC_PKTS_A,
	XF_KC_PKTS_B,
	XF_KC_BYTES_A,
	XF_KC_BYTES_B,
	XF_KC_NO_FLOW,          /* packet made no flow */
	XF_KC_FLOWS,            /* flows inserted in the map */
	XF_KC_INSERT_RACE,      /* insert lost to the other direction on another CPU */
	XF_KC_FRAG_NOHEAD,      /* later fragment whose first fragment was not seen */
	/* losses: each is listed in the end report */
	XF_KC_MAP_FULL,         /* flow map full: packet sent to the userspace overflow table */
	XF_KC_FRAG_MAP_FULL,    /* fragment map insert failed */
	XF_KC_RB_NEW_FLOW,      /* ringbuf reserve failed: new-flow event */
	XF_KC_RB_PKT,           /* ringbuf reserve failed: packet-mode record */
	XF_KC_RB_PAYLOAD,       /* ringbuf reserve failed: payload sample */
	XF_KC_RB_OVERFLOW,      /* ringbuf reserve failed: overflow packet (map full) — lost */
	XF_KC_LOAD_BYTES,       /* copying payload into a record failed */
	XF_KC_PULL_FAIL,        /* TC: could not make the headers linear */
	XF_KC_TC_GSO,           /* TC egress: GSO packet counted once for its segments */
	XF_KC__COUNT
};

#endif /* XDPFLOW_ABI_H */
