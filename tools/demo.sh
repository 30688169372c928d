#!/usr/bin/env bash
# Install (first run) and run the main job on the embedded demo deck:
# make deck -> balatro_augment -> balatro_train -> balatro_eval -> report. Extra flags go to balatro_pipeline.
source "$(dirname "$0")/env.sh"
balatro_pipeline --demo "$@"
