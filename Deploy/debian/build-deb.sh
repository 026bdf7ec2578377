#!/usr/bin/env bash
# Builds the Debian packages herald and herald-dbgsym from what `make install`
# lays out under /usr, with dpkg-deb. Usage: build-deb.sh OUTPUT_DIR VERSION
#
#   herald         /usr/bin/herald (stripped), the systemd unit, man pages,
#                  completions, example policies; Depends: the shared libraries
#                  the binary links, as dpkg-shlibdeps reads them off it
#   herald-dbgsym  /usr/lib/debug/usr/bin/herald.debug, the debug information
#                  gdb finds through the binary's GNU debuglink
set -euo pipefail

out="$1"
version="$2"
repo="$(cd "$(dirname "$0")/../.." && pwd)"
here="$repo/Deploy/debian"
arch="$(dpkg --print-architecture)"
stage="$out/debian"   # dpkg-shlibdeps looks for packages' trees in debian/PACKAGE

rm -rf "$out"
mkdir -p "$out"
make -C "$repo" install DESTDIR="$stage/herald" PREFIX=/usr UNITDIR=/lib/systemd/system

# The debug information goes to its own package.
mkdir -p "$stage/herald-dbgsym/usr/lib"
mv "$stage/herald/usr/lib/debug" "$stage/herald-dbgsym/usr/lib/debug"
rmdir --ignore-fail-on-non-empty "$stage/herald/usr/lib"

# Depends: what the binary really links (dpkg-shlibdeps reads its NEEDED entries and the
# libraries' symbols files for the lowest versions that provide what it uses).
printf 'Source: herald\n\nPackage: herald\nArchitecture: any\n' > "$stage/control"
mkdir -p "$stage/herald/DEBIAN"
depends="$(cd "$out" && dpkg-shlibdeps -O debian/herald/usr/bin/herald | sed -n 's/^shlibs:Depends=//p')"
[ -n "$depends" ] || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

control() {  # control TEMPLATE PACKAGE_ROOT
  local size
  size="$(du -sk --exclude=DEBIAN "$2" | cut -f1)"
  mkdir -p "$2/DEBIAN"
  sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" -e "s/@DEPENDS@/$depends/" \
      "$1" > "$2/DEBIAN/control"
  (cd "$2" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) > "$2/DEBIAN/md5sums"
}

control "$here/control.in" "$stage/herald"
install -m 755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/herald/DEBIAN/"
control "$here/control-dbgsym.in" "$stage/herald-dbgsym"

dpkg-deb --root-owner-group -Zxz --build "$stage/herald" "$out/herald_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage/herald-dbgsym" "$out/herald-dbgsym_${version}_${arch}.deb"
for package in "$out"/*.deb; do
  echo "$(basename "$package"): $(du -k "$package" | cut -f1) kB"
done
