#!/usr/bin/env bash
# Install (first run) and run the main job on the embedded full-catalogue demo deck:
# make deck + fresh test deck -> balatro_augment -> balatro_train (every capture) -> calibrate -> balatro_eval on the test deck
# -> report. Extra flags go to balatro_pipeline (e.g. --n-cards 40 for a small, fast deck).
source "$(dirname "$0")/env.sh"
balatro_pipeline --demo "$@"
