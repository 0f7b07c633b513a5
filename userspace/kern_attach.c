// SPDX-License-Identifier: BSD-3-Clause
/*
 * kern_attach.c - put the programs on the interface and take them off.
 *
 * XDP (ingress) and tcx (egress) are attached through bpf_links: the kernel
 * detaches a link when its last file descriptor closes, so nothing of ours
 * stays on the interface after xdpflow exits, even after a crash (unless
 * --pin pins the links on purpose).  Kernels without tcx get a clsact
 * filter, which does outlive a crash; it carries our handle/priority and is
 * replaced at the next start.  A stale XDP attachment of ours (netlink, or a
 * libxdp dispatcher slot) is found with libxdp and removed at start-up.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "config.h"
#include "kern_engine.h"
#include "bpf/xdpflow.skel.h" /* after kern_engine.h: needs the ABI types */
#include "log.h"

#ifndef BPF_TCX_EGRESS
#define BPF_TCX_EGRESS 47       /* uapi of kernels >= 6.6; older headers lack it */
#endif

#define XF_PROG_NAME   "xdpflow_xdp"
#define XF_TC_HANDLE   0x5846   /* "XF" */
#define XF_TC_PRIO     0x5846

int xf_kern_iface_check(struct xf_kern *k)
{
	struct ifreq ifr = {};
	int fd, up;

	k->ifindex = (int)if_nametoindex(k->iface);
	if (!k->ifindex) {
		pr_err("-i %s: no such interface", k->iface);
		return -1;
	}
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return 0;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", k->iface);
	up = ioctl(fd, SIOCGIFFLAGS, &ifr) || (ifr.ifr_flags & IFF_UP);
	close(fd);
	if (!up) {
		pr_err("-i %s: interface is down (ip link set %s up)", k->iface, k->iface);
		return -1;
	}
	return 0;
}

/* Remove an XDP program of ours left by an earlier xdpflow. */
static void clean_stale_xdp(struct xf_kern *k)
{
	struct xdp_multiprog *mp = xdp_multiprog__get_from_ifindex(k->ifindex);
	struct xdp_program *p;
	int err;

	if (!mp || libxdp_get_error(mp))
		return;
	if (xdp_multiprog__is_legacy(mp)) {
		p = xdp_multiprog__main_prog(mp);
		if (p && !strcmp(xdp_program__name(p), XF_PROG_NAME)) {
			err = xdp_multiprog__detach(mp);
			if (err)
				pr_warn("-i %s: an xdpflow XDP program is attached and cannot be removed (%s): another xdpflow running, or a pinned link?",
					k->iface, strerror(-err));
			else
				pr_warn("-i %s: removed a stale xdpflow XDP program", k->iface);
		}
	} else {
		for (p = xdp_multiprog__next_prog(NULL, mp); p; p = xdp_multiprog__next_prog(p, mp)) {
			if (strcmp(xdp_program__name(p), XF_PROG_NAME))
				continue;
			err = xdp_program__detach(p, k->ifindex, xdp_multiprog__attach_mode(mp), 0);
			if (!err)
				pr_warn("-i %s: removed a stale xdpflow program from the XDP dispatcher", k->iface);
		}
	}
	xdp_multiprog__close(mp);
}

static int xdp_link(struct xf_kern *k, __u32 flags)
{
	LIBBPF_OPTS(bpf_link_create_opts, opts, .flags = flags);
	int fd = bpf_program__fd(k->skel->progs.xdpflow_xdp);

	return bpf_link_create(fd, k->ifindex, BPF_XDP, &opts);
}

static void xdp_busy_message(struct xf_kern *k)
{
	__u32 id = 0;

	bpf_xdp_query_id(k->ifindex, 0, &id);
	pr_err("-i %s: another XDP program (id %u) is attached; detach it (ip link set %s xdp off) or use --direction egress",
	       k->iface, id, k->iface);
}

static int attach_xdp(struct xf_kern *k)
{
	const char *mode = xf_cfg_str("XDP_MODE");
	int fd;

	clean_stale_xdp(k);
	if (!strcmp(mode, "generic")) {
		fd = xdp_link(k, XDP_FLAGS_SKB_MODE);
		k->xdp_flags = XDP_FLAGS_SKB_MODE;
	} else {
		fd = xdp_link(k, XDP_FLAGS_DRV_MODE);
		k->xdp_flags = XDP_FLAGS_DRV_MODE;
		if (fd < 0 && fd != -EBUSY && fd != -EEXIST) {
			pr_warn("-i %s: native XDP not available (%s), using generic XDP (slower)",
				k->iface, strerror(-fd));
			fd = xdp_link(k, XDP_FLAGS_SKB_MODE);
			k->xdp_flags = XDP_FLAGS_SKB_MODE;
		}
	}
	if (fd == -EBUSY || fd == -EEXIST) {
		xdp_busy_message(k);
		return -1;
	}
	if (fd < 0) {
		pr_err("-i %s: cannot attach XDP: %s", k->iface, strerror(-fd));
		return -1;
	}
	k->xdp_link_fd = fd;
	pr_info("-i %s: XDP attached (%s mode)", k->iface,
		k->xdp_flags == XDP_FLAGS_DRV_MODE ? "native" : "generic");
	return 0;
}

static int attach_clsact(struct xf_kern *k)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = k->ifindex, .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XF_TC_HANDLE, .priority = XF_TC_PRIO,
		    .flags = BPF_TC_F_REPLACE,
		    .prog_fd = bpf_program__fd(k->skel->progs.xdpflow_tc));
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		pr_err("-i %s: cannot create the clsact qdisc for egress: %s", k->iface, strerror(-err));
		return -1;
	}
	k->tc_hook_created = !err;
	err = bpf_tc_attach(&hook, &opts);
	if (err) {
		pr_err("-i %s: cannot attach the egress TC program: %s", k->iface, strerror(-err));
		return -1;
	}
	k->tc_clsact = 1;
	pr_info("-i %s: TC egress attached (clsact)", k->iface);
	return 0;
}

static int attach_tc(struct xf_kern *k)
{
	const char *how = xf_cfg_str("XDP_TC_ATTACH");
	int fd;

	if (!strcmp(how, "clsact"))
		return attach_clsact(k);
	fd = bpf_link_create(bpf_program__fd(k->skel->progs.xdpflow_tc), k->ifindex,
			     BPF_TCX_EGRESS, NULL);
	if (fd < 0 && !strcmp(how, "tcx")) {
		pr_err("-i %s: cannot attach the egress tcx link: %s (XDP_TC_ATTACH=clsact for older kernels)",
		       k->iface, strerror(-fd));
		return -1;
	}
	if (fd >= 0) {
		k->tc_link_fd = fd;
		pr_info("-i %s: TC egress attached (tcx link)", k->iface);
		return 0;
	}
	pr_debug("-i %s: tcx not available (%s), using clsact", k->iface, strerror(-fd));
	return attach_clsact(k);
}

/* --pin: a restarted collector takes over the links it left pinned and
 * swaps its freshly loaded program in; the pinned maps carried the counts. */
static int reuse_pinned_link(struct xf_kern *k, const char *what, struct bpf_program *prog)
{
	char path[4096];
	int fd, err;

	if (!k->pin)
		return -1;
	snprintf(path, sizeof(path), "%s/link_%s_%s", k->pin, what, k->iface);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -1;
	err = bpf_link_update(fd, bpf_program__fd(prog), NULL);
	if (err) {
		pr_warn("--pin %s: cannot reuse the pinned %s link (%s); replacing it",
			k->pin, what, strerror(-err));
		close(fd);
		unlink(path);
		return -1;
	}
	pr_info("-i %s: took over the pinned %s link", k->iface, what);
	return fd;
}

static int pin_link(struct xf_kern *k, int fd, const char *what)
{
	char path[4096];
	int err;

	snprintf(path, sizeof(path), "%s/link_%s_%s", k->pin, what, k->iface);
	unlink(path);
	err = bpf_obj_pin(fd, path);
	if (err)
		pr_warn("--pin %s: cannot pin the %s link: %s", k->pin, what, strerror(errno));
	return err;
}

int xf_kern_attach(struct xf_kern *k)
{
	const char *dir = xf_cfg_str("XDP_DIRECTION");
	int ingress = strcmp(dir, "egress") != 0;
	int egress = strcmp(dir, "ingress") != 0;

	k->xdp_link_fd = -1;
	k->tc_link_fd = -1;
	if (ingress)
		k->xdp_link_fd = reuse_pinned_link(k, "xdp", k->skel->progs.xdpflow_xdp);
	if (egress)
		k->tc_link_fd = reuse_pinned_link(k, "tc", k->skel->progs.xdpflow_tc);
	if (ingress && k->xdp_link_fd < 0 && attach_xdp(k))
		goto fail;
	if (egress && k->tc_link_fd < 0 && attach_tc(k))
		goto fail;
	if (k->pin) {
		if (k->xdp_link_fd >= 0)
			pin_link(k, k->xdp_link_fd, "xdp");
		if (k->tc_link_fd >= 0)
			pin_link(k, k->tc_link_fd, "tc");
	}
	return 0;
fail:
	xf_kern_detach(k);
	return -1;
}

void xf_kern_detach(struct xf_kern *k)
{
	if (k->xdp_link_fd >= 0)
		close(k->xdp_link_fd);
	if (k->tc_link_fd >= 0)
		close(k->tc_link_fd);
	k->xdp_link_fd = k->tc_link_fd = -1;
	if (k->tc_clsact && !k->pin) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = k->ifindex, .attach_point = BPF_TC_EGRESS);
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XF_TC_HANDLE, .priority = XF_TC_PRIO);

		bpf_tc_detach(&hook, &opts);
		if (k->tc_hook_created) {
			/* both points: removes the clsact qdisc we created */
			hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
			bpf_tc_hook_destroy(&hook);
		}
		k->tc_clsact = 0;
	}
}
