import _common  # noqa
import sys, time, cProfile, pstats, joblib
import bench_cluster as bc
from skbayes.model_selection import _async
prof = cProfile.Profile()
orig = _async.replay_here
def rh(*a):
    prof.enable()
    try: return orig(*a)
    finally: prof.disable()
_async.replay_here = rh
backend = sys.argv[1]
with bc.backend_context(backend, 8):
    r = bc.one_run("skbayes.RandomSearch", 8, 6.0, 0, False, 0.5, backend)
print(r["utilisation"])
pstats.Stats(prof).sort_stats("cumulative").print_stats(25)
