#!/usr/bin/env bash
# Install everything gongkai needs (Debian packages, a virtualenv with all extras), then read and check
# the example reports in examples/ and print the problem list.
#   scripts/setup.sh            install + run the examples
#   scripts/setup.sh --no-run   install only (used by .ci/run)
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(
  libreoffice-writer-nogui  # DOC/WPS -> DOCX, and DOCX -> PDF for the reader tests
  python3-uno               # drives a LibreOffice kept warm (system python3 + unoserver); without it one-shot
  fonts-noto-cjk            # Chinese glyphs in converted PDFs; the official layout's serif and sans
  fonts-lxgw-wenkai         # the official layout's kaiti (items （一）…), freely licensed
  chromium                  # end-to-end tests of the web app (Playwright drives /usr/bin/chromium)
  postgresql                # the store is tested against a real PostgreSQL server
  poppler-utils             # pdftotext -layout: the floor bench/bench_pdf.py measures the PDF reader against
)

install_debian_packages() {
  command -v apt-get >/dev/null 2>&1 || { echo "apt-get not found: install ${DEBIAN_PACKAGES[*]} yourself" >&2; return 0; }
  local missing=()
  for pkg in "${DEBIAN_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_debian_packages
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[all]'

if [ "${1:-}" != "--no-run" ]; then
  # exit 1 only means the examples have problems (they do: that is what they show)
  .venv/bin/gongkai check examples/ || [ $? -eq 1 ]
fi
