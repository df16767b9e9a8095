#!/usr/bin/env bash
# The main job: the paper's experiment (Fig. 5) on the emulated Fig. 1
# testbed — Open vSwitch bridges for two data centers and two WLANs, a Linux
# router, hosts in network namespaces, WAN delays of 1 ms and 50 ms — with
# the Follow-Me Cloud controller, with and without follow-me.
# Writes out/experiment/{timeline.csv,fig5.svg,fig5.png,summary.txt}. Each run's
# controller serves the live dashboard (its address is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
# The dashboard's address is printed as each run starts; the follow-me run is held up
# FMC_DEMO_HOLD_SECONDS (default 5) at its end, or until Enter with FMC_DEMO_HOLD=1.
hold=(--hold "${FMC_DEMO_HOLD_SECONDS:-5}")
[ "${FMC_DEMO_HOLD:-0}" = 1 ] && hold=(--hold-until-enter)
exec /usr/bin/python3 scripts/experiment.py --controller build/src/cli/fmc-controller \
  --linkem build/testbed/fmc-linkem --out out/experiment --duration "${FMC_EXPERIMENT_SECONDS:-30}" "${hold[@]}"
