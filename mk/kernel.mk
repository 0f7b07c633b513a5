# SPDX-License-Identifier: BSD-3-Clause
# kernel-test: the kernel engine's tests (tests/kernel/run-all.sh): the
# differential's own test, load + BPF_PROG_RUN on the running kernel, the
# differential offline vs --engine xdp over the WHOLE corpus, and the live
# test on a veth.  Needs root (BPF, namespaces); a suite that cannot run
# says SKIP and fails unless XF_ALLOW_SKIP=1.
#
# The full corpus, not XF_QUICK sampling: run-all.sh runs the differential
# in -R batches of 20 captures per program load, and the whole target took
# about 1 min on this 2-core VM with other jobs running (docs/vmtest.md has
# the split).  `make kernel-test XF_QUICK=1` compares every 10th capture.

KERNEL_TEST_ENV = BUILD=$(abspath $(BUILD)) XDPFLOW=$(abspath $(XDPFLOW))

kernel-test: all
	$(Q)$(KERNEL_TEST_ENV) tests/kernel/run-all.sh

.PHONY: kernel-test
