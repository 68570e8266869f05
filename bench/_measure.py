"""Run a command; print its wall time and the peak RSS of its largest process as JSON."""

import json
import resource
import subprocess
import sys
import time

started = time.perf_counter()
proc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
elapsed = time.perf_counter() - started
peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"seconds": elapsed, "peak_rss_mib": peak_kib / 1024, "rc": proc.returncode, "stderr": proc.stderr[-2000:]}))
