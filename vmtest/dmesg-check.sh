#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# dmesg-check.sh FILE - exit 1 (printing them) if the kernel log lines in
# FILE hold a warning, oops, BUG, lockdep/RCU complaint or sanitizer report;
# lines a test itself provokes on purpose are not expected here.
pat='WARNING:|BUG:|Oops|general protection fault|Call Trace:|KASAN|UBSAN|KFENCE|kernel BUG|RCU stall|rcu_sched detected|possible recursive locking|circular locking|refcount_t:|list_add corruption|list_del corruption|hung_task|soft lockup|Kernel panic'
if grep -E "$pat" "$1" >/dev/null 2>&1; then
	echo "kernel log lines that look like trouble:"
	grep -E -B2 -A8 "$pat" "$1" | head -n 60 | sed 's/^/    /'
	exit 1
fi
exit 0
