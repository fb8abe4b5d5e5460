#!/bin/sh
# Remakes the web site's screenshots in docs/ (README shows them): the
# integration test `web::the_site_serves_a_seeded_ladder_and_follows_it`
# serves a seeded ladder (300 players, 3,000 matches) from the real
# supervisor and loads it in headless Chromium (Debian's `chromium`), which
# checks the rendered DOM and writes the screenshots where this says.
set -eu
cd "$(dirname "$0")/.."
command -v chromium >/dev/null 2>&1 || {
    echo "web-screenshots: no chromium; apt-get install chromium" >&2
    exit 1
}
# The pages' language switch (and the Korean and Chinese pages) need CJK
# glyphs, or Chromium draws empty boxes: Debian's fonts-noto-cjk, a 57 MB
# download (91 MB installed), about 15 s to install on the project's VM.
if [ -z "$(fc-list :lang=ko 2>/dev/null)" ] || [ -z "$(fc-list :lang=zh-cn 2>/dev/null)" ]; then
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && apt-get install -y -qq fonts-noto-cjk >/dev/null
    else
        echo "web-screenshots: no CJK font; apt-get install fonts-noto-cjk" >&2
        exit 1
    fi
fi
mkdir -p docs
LADDERD_SCREENSHOTS="$PWD/docs" CARGO_BUILD_JOBS="${CARGO_BUILD_JOBS:-1}" \
    cargo test --locked --test it -- --exact web::the_site_serves_a_seeded_ladder_and_follows_it
ls -l docs/web-*.png
