#!/usr/bin/env python3
"""Prints, one per line and sorted, every function of one binary that ran in
the given callgrind profiles (valgrind --tool=callgrind --demangle=no).

Used by Scripts/generate-order-file.sh to write Deploy/link/herald.order: the
linker places these functions together, so that the code an agent runs fills
a few hundred pages instead of touching most of the binary's 28 MB of text.

Usage: callgrind-functions.py BINARY_NAME PROFILE...
"""
import re
import sys

# Callgrind compresses names: "fn=(12) name" defines id 12, "fn=(12)" reuses it.
# Object ("ob", "cob") and function ("fn", "cfn") ids have separate tables.
COMPRESSED = re.compile(r"\((\d+)\)(?: (.*))?$")
# Callgrind marks recursion depth (and with --separate-callers, contexts) with "'N".
CONTEXT_SUFFIX = re.compile(r"'\d+$")


def resolve(text, table):
    match = COMPRESSED.match(text)
    if not match:
        return text
    if match.group(2) is not None:
        table[match.group(1)] = match.group(2)
    return table[match.group(1)]


def functions(path, binary):
    objects, names, found = {}, {}, set()
    current_object = None
    with open(path, encoding="utf-8", errors="replace") as profile:
        for line in profile:
            line = line.rstrip("\n")
            if line.startswith("ob="):
                current_object = resolve(line[3:], objects)
            elif line.startswith("cob="):
                resolve(line[4:], objects)
            elif line.startswith("cfn="):
                resolve(line[4:], names)
            elif line.startswith("fn="):
                name = CONTEXT_SUFFIX.sub("", resolve(line[3:], names))
                # Unnamed code shows as an address; the linker cannot place it by name.
                if current_object and current_object.split("/")[-1] == binary and not name.startswith("0x"):
                    found.add(name)
    return found


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__.strip())
    binary, profiles = sys.argv[1], sys.argv[2:]
    found = set()
    for path in profiles:
        found |= functions(path, binary)
    found.discard("(below main)")
    if not found:
        sys.exit(f"no function of {binary} in {len(profiles)} profile(s)")
    sys.stdout.write("".join(name + "\n" for name in sorted(found)))


if __name__ == "__main__":
    main()
