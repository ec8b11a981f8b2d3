#!/bin/sh
# Builds the Debian package of trailwatch from a finished build, with dpkg-deb (no debhelper):
#   build_deb.sh BUILD_DIR OUT_DIR        prints the path of the .deb it wrote
# Contents come from `cmake --install BUILD_DIR --prefix /usr` (binary, man page, systemd unit,
# /etc/trailwatch/trailwatch.example.yml); the binary is stripped as dh_strip does; Depends is
# computed by dpkg-shlibdeps from the binary's libraries, plus libcurl4 (loaded at run time).
# There are no maintainer scripts: the service is not enabled on install, since it needs a config
# first (docs/deploy.md).
set -eu
[ "$#" -eq 2 ] || { echo "usage: build_deb.sh BUILD_DIR OUT_DIR" >&2; exit 2; }
build=$(cd "$1" && pwd) out=$(mkdir -p "$2" && cd "$2" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/trailwatch-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root

DESTDIR=$root cmake --install "$build" --prefix /usr >/dev/null
strip --remove-section=.comment --remove-section=.note --strip-unneeded "$root/usr/bin/trailwatch"

version=$("$root/usr/bin/trailwatch" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
# dpkg-shlibdeps wants a source tree with debian/control next to the files it reads.
mkdir -p "$work/debian"
printf 'Source: trailwatch\n\nPackage: trailwatch\nArchitecture: any\n' > "$work/debian/control"
depends=$(cd "$work" && dpkg-shlibdeps -O -e root/usr/bin/trailwatch 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "build_deb.sh: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
# libcurl is loaded at run time (dlopen of libcurl.so.4 by src/http/curl_http_client.cc), so
# dpkg-shlibdeps cannot see it; 7.85 is the first release with CURLOPT_PROTOCOLS_STR.
depends="$depends, libcurl4 (>= 7.85.0)"

mkdir -p "$root/DEBIAN"
(cd "$root" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) > "$root/DEBIAN/md5sums"
(cd "$root" && find etc -type f | sed 's|^|/|') > "$root/DEBIAN/conffiles"
cat > "$root/DEBIAN/control" <<CONTROL
Package: trailwatch
Version: $version
Architecture: $arch
Maintainer: trailwatch developers <trailwatch@localhost>
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Recommends: ca-certificates, tzdata
Section: admin
Priority: optional
Homepage: https://github.com/trailwatch/trailwatch
Description: watch AWS CloudTrail for what matters and alert in Slack
 trailwatch evaluates CloudWatch Logs filter patterns, EventBridge event
 patterns and Sigma rules over CloudTrail events from files, S3, SQS or HTTP,
 and delivers alerts to Slack, webhooks and files through a durable outbox.
 This package has the binary, its man page, a sandboxed systemd unit and an
 example configuration in /etc/trailwatch.
CONTROL
find "$root" -type d -exec chmod 0755 {} +
deb=$out/trailwatch_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
