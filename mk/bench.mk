# SPDX-License-Identifier: BSD-3-Clause
# `make bench` (docs/bench.md): the project's capture generator and the bare
# libpcap read baseline, built into $(BUILD)/tools/, then scripts/bench.sh
# measures xdpflow against the bare read and the peers on one generated capture.
#   make gen           build $(BUILD)/tools/xdpflow-gen
#   make bench         generate (cached) and measure; results in $(BUILD)/bench/
#   BENCH_PACKETS=... BENCH_FLOWS=... BENCH_REPS=... make bench

XF_GEN       := $(BUILD)/tools/xdpflow-gen
XF_PCAP_READ := $(BUILD)/tools/pcap-read

$(XF_GEN): tools/gen/xdpflow-gen.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) -lm

$(XF_PCAP_READ): tools/bench/pcap-read.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -o $@ $< $(LDFLAGS) $(shell pkg-config --libs libpcap 2>/dev/null || echo -lpcap)

gen: $(XF_GEN)

# xdpflow itself is built first but a failed build does not stop the peers
# from being measured: bench.sh says clearly that xdpflow is missing.
bench: $(XF_GEN) $(XF_PCAP_READ)
	$(Q)$(MAKE) --no-print-directory all || echo "bench: WARNING: $(XDPFLOW) does not build"
	$(Q)BUILD=$(abspath $(BUILD)) XDPFLOW=$(abspath $(XDPFLOW)) scripts/bench.sh

gen-test: $(XF_GEN)
	$(Q)BUILD=$(abspath $(BUILD)) tests/gen/run.sh

.PHONY: gen bench gen-test
