#!/usr/bin/env python3
"""Says how much of an order file a linked binary still has, and warns when
too little: functions renamed or removed since Scripts/generate-order-file.sh
ran are silently skipped by the linker, and the code a running agent executes
then spreads over more of the binary (more memory resident, nothing else).

Usage: check-order-file.py BINARY ORDER_FILE
"""
import subprocess
import sys

# Below this share of listed functions found, the file is worth regenerating.
WARN_BELOW = 0.9


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip())
    binary, order_file = sys.argv[1], sys.argv[2]
    with open(order_file, encoding="utf-8") as lines:
        listed = {line.strip() for line in lines if line.strip()}
    symbols = subprocess.run(["nm", "--defined-only", "--format=just-symbols", binary],
                             capture_output=True, text=True, check=True).stdout.split()
    found = len(listed.intersection(symbols))
    share = found / len(listed) if listed else 0.0
    print(f"{order_file}: {found} of {len(listed)} listed functions are in {binary} ({share:.0%})")
    if share < WARN_BELOW:
        print(f"warning: {order_file} is out of date; run Scripts/generate-order-file.sh "
              "(needs valgrind) to lay out the code an agent runs again", file=sys.stderr)


if __name__ == "__main__":
    main()
