"""The asynchronous engine's pool under joblib's Ray backend.

``parallel_config(backend="ray")`` (``ray.util.joblib``) cannot serve the
engine's ``Parallel(return_as="generator_unordered")``: joblib refuses it
(the backend derives from joblib's multiprocessing backend, which does not
support generators), and its pool sends each task to its actors in turn
(round robin), so a task freed by a short fit would queue behind a long fit
on the next actor while the free one idles. Under that backend the engine
submits its tasks as Ray tasks instead: Ray's scheduler starts each on the
first free CPU, and ``ray.wait`` hands back whichever finishes first.

The user's ``ray.init`` (or ``RAY_ADDRESS``) chooses the cluster, as for
the joblib backend; at most ``n_workers`` tasks run at once (the search's
``n_jobs``). Tasks are pulled from the engine's feed here, in the thread
that consumes the results, so no idle task is ever needed to keep joblib's
pull alive. Arguments shared by many tasks (the data, the estimator, the
splits' indices) are put in Ray's object store once per pool. A task that
kills its worker raises ``WorkerCrashedError`` (``_faults.is_worker_death``).
"""

from joblib.parallel import get_active_backend

_SCALARS = (str, bytes, int, float, bool, type(None))


def uses_ray():
    """Whether the active joblib backend is ``ray.util.joblib``'s."""
    backend, _ = get_active_backend()
    cls = type(backend)
    return cls.__name__ == "RayBackend" and cls.__module__.split(".")[0] == "ray"


def _call(func, kwargs, *args):
    # Positional arguments travel at the top level: Ray resolves only
    # top-level object references.
    return func(*args, **kwargs)


class _Shared:
    """Object-store references of the arguments passed by identity to
    several tasks. Holds the objects too, so an ``id`` is never reused."""

    def __init__(self, ray):
        self._ray = ray
        self._refs = {}

    def __call__(self, value):
        if isinstance(value, _SCALARS):
            return value
        hit = self._refs.get(id(value))
        if hit is None:
            hit = self._refs[id(value)] = (value, self._ray.put(value))
        return hit[1]


def unordered(tasks, n_workers):
    """Results of ``tasks`` (joblib ``delayed`` calls), in completion order.

    Like ``Parallel(return_as="generator_unordered")``: a task is pulled when
    fewer than ``n_workers`` run, and the first ``StopIteration`` of
    ``tasks`` ends the pulls (the running tasks still complete). A task's
    exception is raised here, as Ray raises it (an instance of the original
    class too); closing the generator cancels the running tasks.
    """
    import ray

    # No retries: a task that killed its worker is the engine's to isolate
    # (``_PhaseLoop._isolate``); Ray's retries would kill a worker per try.
    remote = ray.remote(num_cpus=1, max_retries=0)(_call)
    shared = _Shared(ray)
    running = []
    more = True
    try:
        while True:
            while more and len(running) < n_workers:
                try:
                    func, args, kwargs = next(tasks)
                except StopIteration:
                    more = False
                    break
                running.append(remote.remote(func, kwargs, *[shared(a) for a in args]))
            if not running:
                return
            (done,), running = ray.wait(running, num_returns=1)
            yield ray.get(done)
    finally:
        for ref in running:
            ray.cancel(ref)
