# Sourced by tools/test.sh and tools/demo.sh: create or reuse .venv and install the project with the pinned stack.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
want=$(cat constraints.txt settings.ini setup.py pyproject.toml | sha1sum | cut -d' ' -f1)
if [ "$(cat .venv/.installed 2>/dev/null)" != "$want" ]; then
  echo "Installing balatro_cards and its pinned stack (constraints.txt) into .venv ..."
  .venv/bin/python -m pip install -q -c constraints.txt -e ".[dev]" 2>&1 | grep -v "^WARNING: Location" || true
  .venv/bin/python -c "import balatro_cards, fastai, torch" || { echo "install failed"; exit 1; }
  echo "$want" > .venv/.installed
fi
# The labelling app's browser test (nbs/16_label) drives Debian's headless Chromium through Playwright (a dev requirement):
# install the browser when it is missing (Playwright's own browser download is never used).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium for the browser test ..."
  SUDO=$([ "$(id -u)" = 0 ] || echo "sudo -n")
  { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null; } \
    || echo "could not install chromium (needed by nbs/16_label's browser test): run apt-get install chromium as root"
fi
export PATH="$PWD/.venv/bin:$PATH"
export MPLBACKEND=Agg
