#!/usr/bin/env bash
# Install (first run) and run every check: exported code in sync, README current, every notebook under nbdev_test.
source "$(dirname "$0")/env.sh"
python tools/run_tests.py "$@"
