# SPDX-License-Identifier: BSD-3-Clause
"""Just enough of the classic pcap format to craft broken files from good
ones: split a file into its global header and records, and put them back."""
import struct

MAGICS = {b"\xd4\xc3\xb2\xa1": "<", b"\xa1\xb2\xc3\xd4": ">",
          b"\x4d\x3c\xb2\xa1": "<", b"\xa1\xb2\x3c\x4d": ">"}


class Pcap:
    def __init__(self, data):
        if data[:4] not in MAGICS:
            raise ValueError("not a classic pcap file")
        self.endian = MAGICS[data[:4]]
        self.header = data[:24]
        self.records = []       # (offset, 16-byte header, payload)
        off = 24
        while off + 16 <= len(data):
            hdr = data[off:off + 16]
            incl = struct.unpack(self.endian + "IIII", hdr)[2]
            self.records.append((off, hdr, data[off + 16:off + 16 + incl]))
            off += 16 + incl
        self.data = data

    @classmethod
    def read(cls, path):
        with open(path, "rb") as f:
            return cls(f.read())

    def first(self, n):
        """The file cut after its first n records (a valid pcap)."""
        if n >= len(self.records):
            return self.data
        return self.data[:self.records[n][0]]

    def with_linktype(self, linktype):
        return (self.data[:20] + struct.pack(self.endian + "I", linktype) +
                self.data[24:])

    def with_record_caplen(self, index, caplen):
        """Record `index` claims `caplen` captured bytes (a corrupt header)."""
        off, hdr, _ = self.records[index]
        new = hdr[:8] + struct.pack(self.endian + "I", caplen) + hdr[12:]
        return self.data[:off] + new + self.data[off + 16:]
