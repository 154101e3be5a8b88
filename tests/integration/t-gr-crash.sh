#!/bin/bash
# t-gr-crash: t-gr-bird.sh, but metalbird comes back after its SIGKILL without
# -R: the marker it left in its state directory must make it restart
# gracefully all the same (BIRD keeps every route; 0 lost).
# needs: root
# timeout: 120
MB_GR_CRASH=1
. "$(dirname "$0")/t-gr-bird.sh"
