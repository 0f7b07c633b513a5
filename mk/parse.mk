# SPDX-License-Identifier: BSD-3-Clause
# The shared parser (include/xdpflow/parse.h) under the BPF verifier:
# `make verifier-check` compiles tests/bpf/parse_check.bpf.c and loads it.
verifier-check:
	$(Q)BUILD=$(BUILD) CLANG=$(CLANG) tests/bpf/check-verifier.sh $(BUILD)

.PHONY: verifier-check
