#!/usr/bin/env bash
# Fetches static ffmpeg + ffprobe for the render functions (arm64, like the functions) into
# layers/ffmpeg/build/bin/, checking the archive against the checksum published beside it.
# Run once before `cdk deploy`; synth works without it (the stack warns and stages an empty layer).
set -euo pipefail
cd "$(dirname "$0")"
ARCH="${FFMPEG_ARCH:-arm64}"
URL="${FFMPEG_URL:-https://johnvansickle.com/ffmpeg/releases/ffmpeg-release-${ARCH}-static.tar.xz}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "downloading $URL"
curl -fsSL "$URL" -o "$work/ffmpeg.tar.xz"
curl -fsSL "$URL.md5" -o "$work/ffmpeg.tar.xz.md5"
(cd "$work" && md5sum -c ffmpeg.tar.xz.md5)
if [ -n "${FFMPEG_SHA256:-}" ]; then echo "$FFMPEG_SHA256  $work/ffmpeg.tar.xz" | sha256sum -c -; fi
tar -xJf "$work/ffmpeg.tar.xz" -C "$work"
rm -rf build && mkdir -p build/bin
cp "$work"/ffmpeg-*-static/ffmpeg "$work"/ffmpeg-*-static/ffprobe build/bin/
chmod 755 build/bin/ffmpeg build/bin/ffprobe
echo "layer ready: $(du -sh build | cut -f1) in layers/ffmpeg/build (ffmpeg at /opt/bin/ffmpeg in Lambda)"
