# xdpflow build.  `make` builds build/xdpflow; `make test` runs every test;
# `make SAN=1 ...` builds and tests with AddressSanitizer + UBSan in build-san/.
# Feature areas keep their rules in mk/*.mk (bpf, bench, ...).
.DELETE_ON_ERROR:
.SUFFIXES:
MAKEFLAGS += --no-builtin-rules

V ?= 0
ifeq ($(V),0)
Q := @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
else
Q :=
msg =
endif

CC      ?= cc
CLANG   ?= clang
SAN     ?= 0
ifeq ($(SAN),1)
BUILD   ?= build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
OPT     ?= -O1
else
BUILD   ?= build
SANFLAGS :=
OPT     ?= -O2
endif

PKGS      := libpcap zlib
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null || echo -lpcap -lz)

XF_VERSION ?= 0.1.0
CPPFLAGS += -Iinclude -Iuserspace -I$(BUILD) -D_GNU_SOURCE -DXF_VERSION=\"$(XF_VERSION)\"
CFLAGS   ?= $(OPT) -g
CFLAGS   += -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 \
            -Wno-missing-field-initializers -fno-strict-aliasing $(SANFLAGS) $(PKG_CFLAGS)
DEPFLAGS  = -MMD -MP
LDLIBS   += $(PKG_LIBS) -lm
LDFLAGS  += $(SANFLAGS)

# userspace: every .c under userspace/ is part of the collector; main.c holds main()
USER_SRCS := $(sort $(wildcard userspace/*.c userspace/*/*.c))
USER_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(USER_SRCS))
LIB_OBJS  := $(filter-out $(BUILD)/userspace/main.o,$(USER_OBJS))

XDPFLOW   := $(BUILD)/xdpflow

all: $(XDPFLOW)

$(BUILD)/%.o: %.c
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c $< -o $@

$(XDPFLOW): $(USER_OBJS) $(EXTRA_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(EXTRA_LIBS)

# unit tests: tests/unit/test_*.c, each linked against the collector's objects
UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/%,$(UNIT_SRCS))

$(BUILD)/tests/%: $(BUILD)/tests/unit/%.o $(LIB_OBJS) $(EXTRA_OBJS)
	$(call msg,LINK,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS) $(EXTRA_LIBS) -lcmocka

-include mk/*.mk

unit: $(UNIT_BINS)
	$(Q)set -e; fails=0; for t in $(UNIT_BINS); do \
	  echo "== $$t"; $$t || fails=$$((fails+1)); done; \
	  if [ $$fails -ne 0 ]; then echo "unit: $$fails test program(s) failed"; exit 1; fi

integration: all $(INTEGRATION_DEPS)
	$(Q)XDPFLOW=$(abspath $(XDPFLOW)) BUILD=$(abspath $(BUILD)) tests/integration/run.sh

pytest: all $(INTEGRATION_DEPS)
	$(Q)if [ -d tests/python ] || [ -d tools/python/tests ]; then \
	  XDPFLOW=$(abspath $(XDPFLOW)) /usr/bin/python3 -m pytest -q tests/python; fi

# The whole suite: unit, integration, streams, python, kernel engine; then
# unit and integration once more under ASan+UBSan.  Every part runs even
# when an earlier one fails; the exit status says whether all passed.
TEST_PARTS ?= unit integration streams-test pytest kernel-test
test: deps-check
	$(Q)rc=0; \
	$(MAKE) --no-print-directory -k $(TEST_PARTS) || rc=1; \
	$(MAKE) --no-print-directory -k SAN=1 unit integration-san || rc=1; \
	if [ $$rc -ne 0 ]; then echo "make test: FAILED (see the parts above)"; \
	else echo "make test: all parts passed"; fi; exit $$rc

integration-san: all
	$(Q)XDPFLOW=$(abspath $(XDPFLOW)) BUILD=$(abspath $(BUILD)) XF_QUICK=1 tests/integration/run.sh

deps-check:
	$(Q)scripts/install-deps.sh --check

demo: all
	$(Q)scripts/demo.sh $(XDPFLOW)

PREFIX  ?= /usr/local
DESTDIR ?=
install: all
	install -D -m 0755 $(XDPFLOW) $(DESTDIR)$(PREFIX)/bin/xdpflow
	install -D -m 0644 docs/xdpflow.1 $(DESTDIR)$(PREFIX)/share/man/man1/xdpflow.1
	mkdir -p $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/xdpflow
	install -m 0644 tools/python/xdpflow/*.py $(DESTDIR)$(PREFIX)/lib/python3/dist-packages/xdpflow/

clean:
	rm -rf build build-san

.PHONY: all unit integration integration-san pytest test deps-check demo install clean

-include $(USER_OBJS:.o=.d) $(UNIT_BINS:$(BUILD)/tests/%=$(BUILD)/tests/unit/%.d)
