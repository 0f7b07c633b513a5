# Streams (issue 4): reassembly, follow, payload dumper, split.
# `make streams-test` runs tests/streams/run-all.sh (crafted captures, split,
# FTP size, comparison with tshark and tcpflow; peer outputs cached in
# $XF_PEER_CACHE, default /var/tmp/xdpflow-peer-cache).  STREAMS_CORPUS=all|none widens or skips the corpus part.
streams-test: all
	$(Q)XDPFLOW=$(abspath $(XDPFLOW)) BUILD=$(abspath $(BUILD)) tests/streams/run-all.sh

.PHONY: streams-test
