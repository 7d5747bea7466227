"""Shared test configuration.

Hypothesis runs derandomized (a fixed example sequence, like a fixed seed) and
without an example database, so the suite is reproducible and leaves no
``.hypothesis/`` folder in the checkout.
"""

from hypothesis import settings

settings.register_profile(
    "skbayes", derandomize=True, database=None, deadline=None, max_examples=100
)
settings.load_profile("skbayes")
