import _common  # noqa
import sys, time, logging, threading, joblib
import bench_cluster as bc
from skbayes.model_selection import _async
stats = {}
lock = threading.Lock()
orig_take = _async._Feed._take
def take(self):
    t = orig_take(self)
    if t is not None:
        k = "idle" if t[0] is _async._idle else "tasks"
        with lock: stats[k] = stats.get(k, 0) + 1
    return t
_async._Feed._take = take
orig_ask = _async._PhaseLoop.ask
def ask(self, n):
    t = time.perf_counter(); orig_ask(self, n)
    stats["ask_s"] = stats.get("ask_s", 0) + time.perf_counter() - t
_async._PhaseLoop.ask = ask
orig_flush = _async._PhaseLoop.flush
def flush(self, final=False):
    t = time.perf_counter(); orig_flush(self, final)
    stats["flush_s"] = stats.get("flush_s", 0) + time.perf_counter() - t
_async._PhaseLoop.flush = flush
names = sys.argv[1].split(",")
for backend in sys.argv[2].split(","):
    with bc.backend_context(backend, 8):
        for name in names:
            stats.clear()
            r = bc.one_run(name, 8, 10.0, 0, False, 0.5, backend)
            print(backend, name, f"util {r['utilisation']:.2f} cand {r['candidates']} wall {r['wall_s']:.1f} fit_s {r['fit_s']:.1f}", {k: round(v, 2) for k, v in stats.items()}, flush=True)
