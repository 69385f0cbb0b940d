#!/usr/bin/env sh
# Checks the Prometheus configuration, the alert rules and their unit tests with promtool
# (Debian: apt-get install -y --no-install-recommends prometheus). AlertRulesTest runs the same
# and also checks that k8s/base/observability/prometheus-rule.yaml holds the same rules.
set -eu
cd "$(dirname "$0")/prometheus"
promtool check config prometheus.yml
promtool check rules alerts.yml
promtool test rules alerts-test.yml
