# SPDX-License-Identifier: BSD-3-Clause
# The kernel engine: bpf/*.bpf.c -> $(BUILD)/bpf/*.bpf.o (clang -target bpf)
# -> $(BUILD)/bpf/*.skel.h (bpftool gen skeleton), which the collector's
# userspace/engine_xdp*.c includes.  Linked with libbpf and libxdp.

BPFTOOL    ?= bpftool
BPF_ARCH_INC := $(firstword $(wildcard /usr/include/$(shell $(CC) -dumpmachine 2>/dev/null)))
BPF_CFLAGS ?= -O2 -g -Wall -Wno-unused-function -Werror=implicit-function-declaration
BPF_CPPFLAGS := -Iinclude -Ibpf -I$(BUILD) $(if $(BPF_ARCH_INC),-I$(BPF_ARCH_INC))

BPF_SRCS   := $(sort $(wildcard bpf/*.bpf.c))
BPF_OBJS   := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_SKELS  := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.skel.h,$(BPF_SRCS))

$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -target bpf $(BPF_CPPFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/bpf/%.skel.h: $(BUILD)/bpf/%.bpf.o
	$(call msg,GENSKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# The collector's kernel-engine objects need the skeletons first.
XDP_USER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(wildcard userspace/engine_xdp*.c userspace/kern_*.c))
$(XDP_USER_OBJS): $(BPF_SKELS)

BPF_PKGS := libbpf libxdp
EXTRA_LIBS += $(shell pkg-config --libs $(BPF_PKGS) 2>/dev/null || echo -lbpf -lxdp -lelf -lz)

bpf: $(BPF_SKELS)

# keep the objects: vmtest and `bpftool prog loadall` use them
.SECONDARY: $(BPF_OBJS)

.PHONY: bpf
-include $(BPF_OBJS:.o=.d)
