#!/usr/bin/env bash
# Fetches one pinned static ffmpeg + ffprobe release (amd64 like the functions that draw html with the
# Chromium layer; FFMPEG_ARCH=arm64 for a stack deployed with htmlAssets: false) into
# layers/ffmpeg/build/bin/. The archive must match the SHA-256 pinned in ffmpeg.sha256; the
# publisher's .md5 is checked too (it names the archive's original file, so the download keeps that name).
# Run once before `cdk deploy`: synth refuses a stack without the layer unless -c allowMissingFfmpegLayer=true.
set -euo pipefail
cd "$(dirname "$0")"
VERSION="${FFMPEG_VERSION:-7.0.2}"
ARCH="${FFMPEG_ARCH:-amd64}"
FILE="ffmpeg-${VERSION}-${ARCH}-static.tar.xz"
# A fixed release under old-releases/, never the moving ffmpeg-release-*-static.tar.xz.
URL="${FFMPEG_URL:-https://johnvansickle.com/ffmpeg/old-releases/${FILE}}"
PIN_FILE="ffmpeg.sha256"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
echo "downloading $URL"
curl -fsSL "$URL" -o "$work/$FILE"
if [ -z "${FFMPEG_URL:-}" ]; then
  curl -fsSL "$URL.md5" -o "$work/$FILE.md5"
  (cd "$work" && md5sum -c "$FILE.md5")
fi
actual="$(sha256sum "$work/$FILE" | cut -d' ' -f1)"
expected="${FFMPEG_SHA256:-$(awk -v f="$FILE" '$2 == f { print $1 }' "$PIN_FILE" 2>/dev/null || true)}"
if [ -z "$expected" ]; then
  echo "no SHA-256 pinned for $FILE in layers/ffmpeg/$PIN_FILE; the download's is:" >&2
  echo "  $actual  $FILE" >&2
  echo "check it against a source you trust, then add that line to layers/ffmpeg/$PIN_FILE (or pass FFMPEG_SHA256)." >&2
  exit 1
fi
if [ "$actual" != "$expected" ]; then
  echo "SHA-256 mismatch for $FILE: expected $expected, got $actual" >&2
  exit 1
fi
tar -xJf "$work/$FILE" -C "$work"
rm -rf build && mkdir -p build/bin
cp "$work"/ffmpeg-*-static/ffmpeg "$work"/ffmpeg-*-static/ffprobe build/bin/
chmod 755 build/bin/ffmpeg build/bin/ffprobe
echo "layer ready: $(du -sh build | cut -f1) in layers/ffmpeg/build (ffmpeg at /opt/bin/ffmpeg in Lambda)"
