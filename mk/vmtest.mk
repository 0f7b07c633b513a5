# SPDX-License-Identifier: BSD-3-Clause
# vmtest: the BPF tests on Debian 12's 6.1 kernel under qemu and on the
# running kernel (docs/vmtest.md).  Not part of `make test`: the qemu run
# needs a 70 MB kernel download the first time.
#   make vmtest        both kernels, one exit code
#   make vmtest-61     Debian 6.1 under qemu only
#   make vmtest-host   the running kernel only
#   make vmtest-deps   install qemu-system-x86 and busybox-static (vmtest only)

VMTEST_SMOKE := $(BUILD)/vmtest/smoke.bpf.o
VMTEST_PKGS  := qemu-system-x86 busybox-static
VMTEST_ENV    = BUILD=$(abspath $(BUILD)) XDPFLOW=$(abspath $(XDPFLOW))

$(VMTEST_SMOKE): vmtest/smoke.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) -O2 -g -target bpf -I/usr/include/$(shell uname -m)-linux-gnu -c $< -o $@

# Installed only for vmtest, kept apart from scripts/install-deps.sh.
vmtest-deps:
	$(Q)missing=""; for p in $(VMTEST_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || \
	  missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "vmtest: installing:$$missing"; \
	  apt-get update -q >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null; fi

# The XDP benchmark helper (tools/bench/bench-xdp.sh runs it): BPF_PROG_RUN
# with repeat over the frames of the corpus, through the kernel engine's
# skeleton.  Defined before the vmtest rules: make expands a rule's
# prerequisites as it reads it, so a later definition left them out and
# vmtest ran whatever xdp-prog-run was built last.
XDP_PROG_RUN := $(BUILD)/tools/xdp-prog-run

$(XDP_PROG_RUN): tools/bench/xdp-prog-run.c $(BUILD)/bpf/xdpflow.skel.h
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(LDFLAGS) \
	  $(shell pkg-config --libs libbpf libpcap 2>/dev/null || echo -lbpf -lelf -lz -lpcap)

xdp-prog-run: $(XDP_PROG_RUN)

.PHONY: xdp-prog-run

vmtest-61: all vmtest-deps $(VMTEST_SMOKE) $(XDP_PROG_RUN)
	$(Q)$(VMTEST_ENV) vmtest/vmtest.sh 6.1

vmtest-host: all $(VMTEST_SMOKE) $(XDP_PROG_RUN)
	$(Q)$(VMTEST_ENV) vmtest/vmtest.sh host

vmtest: all vmtest-deps $(VMTEST_SMOKE) $(XDP_PROG_RUN)
	$(Q)rc=0; $(VMTEST_ENV) vmtest/vmtest.sh 6.1 || rc=1; \
	$(VMTEST_ENV) vmtest/vmtest.sh host || rc=1; \
	if [ $$rc -eq 0 ]; then echo "vmtest: PASS on Debian 6.1 and $$(uname -r)"; \
	else echo "vmtest: FAIL"; fi; exit $$rc

.PHONY: vmtest vmtest-61 vmtest-host vmtest-deps


# The floor any XDP flow meter pays here (clock read, hash lookup, lock):
# tools/bench/xdp-floor.{bpf.c,c}, run next to xdp-prog-run by bench-xdp.sh.
XDP_FLOOR := $(BUILD)/tools/xdp-floor

$(BUILD)/tools/xdp-floor.bpf.o: tools/bench/xdp-floor.bpf.c include/xdpflow/abi.h
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -target bpf $(BPF_CPPFLAGS) -c $< -o $@

$(BUILD)/tools/xdp-floor.skel.h: $(BUILD)/tools/xdp-floor.bpf.o
	$(call msg,GENSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name xdp_floor > $@

$(XDP_FLOOR): tools/bench/xdp-floor.c $(BUILD)/tools/xdp-floor.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CPPFLAGS) -I$(BUILD) $(CFLAGS) -o $@ $< $(LDFLAGS) \
	  $(shell pkg-config --libs libbpf 2>/dev/null || echo -lbpf -lelf -lz)

xdp-floor: $(XDP_FLOOR)

.PHONY: xdp-floor
