#!/usr/bin/env bash
# Screen reading: generate held-out game screens -> train the card detector on generated screens -> read the held-out
# screens with balatro_read --watch and the card model (default runs/demo/model from tools/demo.sh) -> report.
# Results: bench/screens_results.json. Extra flags go to bench/screens_bench.py (--model DIR, --n-test, --epochs, ...).
source "$(dirname "$0")/env.sh"
python bench/screens_bench.py "$@"
