#!/usr/bin/python3
#
# Copyright (C) 2026, The Sluice authors.
#
# Reads a Prometheus text exposition page on standard input and parses it
# with Debian's prometheus_client (python3-prometheus-client); prints
# its families as JSON:
#   [ { "name", "type", "documentation",
#       "samples": [ { "name", "labels", "value" } ] } ]
# Exits 1 (with the parser's complaint on standard error) when it does
# not parse.  Used by t/112-metrics.t.

import json
import math
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    text = sys.stdin.read()
    out = []

    try:
        for f in text_string_to_metric_families(text):
            samples = []
            for s in f.samples:
                v = s.value
                samples.append({
                    "name": s.name,
                    "labels": s.labels,
                    "value": v if math.isfinite(v) else str(v),
                })
            out.append({"name": f.name, "type": f.type,
                        "documentation": f.documentation,
                        "samples": samples})
    except Exception as e:      # the parser raises ValueError and others
        print("prometheus_client: %s: %s" % (type(e).__name__, e),
              file=sys.stderr)
        return 1

    json.dump(out, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
