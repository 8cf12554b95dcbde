#!/usr/bin/env python3
"""Resident memory of a process by what is mapped: each file (assemblies, native libraries),
the GC heap and other anonymous memory, JIT-compiled code (memfd:doublemapper). Usage: smaps.py PID"""
import collections
import re
import sys

rss = collections.Counter()
name = None
with open(f"/proc/{sys.argv[1]}/smaps") as smaps:
    for line in smaps:
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            fields = line.split()
            name = fields[5].split("/")[-1] if len(fields) > 5 else "[anonymous: GC heap, stacks, native allocations]"
        elif line.startswith("Rss:"):
            rss[name] += int(line.split()[1])
total = sum(rss.values())
print(f"{total / 1024:7.1f} MB  total")
shown = 0
for mapping, kb in rss.most_common(25):
    shown += kb
    print(f"{kb / 1024:7.1f} MB  {mapping}")
print(f"{(total - shown) / 1024:7.1f} MB  the rest ({len(rss) - 25} mappings)")
