"""What the kiosk's HTTP server costs to start: import time, start-up to first answer, memory.

    python bench/kiosk_server.py [--runs N]

Each figure is taken in a fresh Python process (median of N), for the kiosk server module
(aiohttp underneath) and, as the baseline in the same run, the standard library's
http.server that it replaced. "first answer" is from constructing the server to the
first GET /api/state answered on loopback; "RSS" is the process's resident memory then.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = r"""
import json, resource, sys, time, urllib.request
t0 = time.perf_counter()
if sys.argv[1] == "kiosk":
    from triage import load_tree
    tree = load_tree()
    t1 = time.perf_counter()
    import aiohttp.web
    ta = time.perf_counter()
    from voice.kiosk.driver import KioskDriver
    from voice.kiosk.server import KioskServer
    t2 = time.perf_counter()
    server = KioskServer(KioskDriver(tree), "127.0.0.1", 0).start()
    url = server.url + "api/state"
else:
    t1 = ta = time.perf_counter()
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    t2 = time.perf_counter()
    class H(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"{}")
        def log_message(self, *a): pass
    server = ThreadingHTTPServer(("127.0.0.1", 0), H)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/api/state" % server.server_address[1]
urllib.request.urlopen(url, timeout=10).read()
t3 = time.perf_counter()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"import_ms": 1000 * (t2 - t1), "aiohttp_ms": 1000 * (ta - t1), "first_answer_ms": 1000 * (t3 - t2), "rss_mib": rss}))
server.stop() if hasattr(server, "driver") else server.shutdown()
"""


def probe(which: str) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", PROBE, which], capture_output=True, text=True, env=env,
                         timeout=120, check=True)
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes per server (default 5)")
    runs = parser.parse_args().runs
    rows = {}
    for which in ("http.server", "kiosk"):
        samples = [probe(which) for _ in range(runs)]
        rows[which] = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
    base, kiosk = rows["http.server"], rows["kiosk"]
    print(f"load: {os.getloadavg()[0]:.2f} (1-min average), {runs} fresh processes each, medians")
    print(f"{'':24}{'import ms':>12}{'first answer ms':>18}{'RSS MiB':>10}")
    for name, r in (("http.server (baseline)", base), ("kiosk server (aiohttp)", kiosk)):
        print(f"{name:24}{r['import_ms']:12.1f}{r['first_answer_ms']:18.1f}{r['rss_mib']:10.1f}")
    print(f"of the kiosk's import: aiohttp.web {kiosk['aiohttp_ms']:.1f} ms, the rest (driver, answer tables, "
          f"server module) {kiosk['import_ms'] - kiosk['aiohttp_ms']:.1f} ms")
    print(f"kiosk vs baseline: import +{kiosk['import_ms'] - base['import_ms']:.1f} ms, first answer "
          f"+{kiosk['first_answer_ms'] - base['first_answer_ms']:.1f} ms, RSS +{kiosk['rss_mib'] - base['rss_mib']:.1f} MiB"
          " (kiosk RSS includes the tree and driver)")


if __name__ == "__main__":
    main()
