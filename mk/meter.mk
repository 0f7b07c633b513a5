# SPDX-License-Identifier: BSD-3-Clause
# The shared meter (include/xdpflow/meter.h) under the BPF verifier:
# `make meter-check` compiles tests/bpf/meter_check.bpf.c and loads it.
meter-check:
	$(Q)BUILD=$(BUILD) CLANG=$(CLANG) tests/bpf/check-meter.sh $(BUILD)

.PHONY: meter-check
