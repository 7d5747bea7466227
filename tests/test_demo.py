"""``python -m skbayes`` runs end to end and prints its results table."""

import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_demo_prints_the_table(tmp_path):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-m", "skbayes", "--n-iter", "3", "--seed", "1",
         "--figure", str(tmp_path / "curves.png")],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:1] == ["search"])
    assert lines[header].split()[:4] == ["search", "best", "score", "fits"]
    table = lines[header + 1 :]
    table = table[: table.index("")] if "" in table else table
    rows = {line.split()[0]: line for line in table}
    assert set(rows) == {"GridSearch", "RandomSearch", "BayesSearchCV"}
    # Grid: 4 x 3 x 2 candidates x 3 folds; random: --n-iter 3 x 3 folds.
    assert rows["GridSearch"].split()[2] == "72"
    assert rows["RandomSearch"].split()[2] == "9"
    assert rows["BayesSearchCV"].split()[2] == "9"
    for row in rows.values():
        score = float(row.split()[1])
        assert 0.0 <= score <= 1.0
        assert re.search(r"\{'C': .*\}", row)
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        assert "pip install matplotlib" in proc.stdout
    else:
        assert (tmp_path / "curves.png").read_bytes()[:4] == b"\x89PNG"


def test_demo_help():
    proc = subprocess.run(
        [sys.executable, "-m", "skbayes", "--help"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0 and "--n-iter" in proc.stdout
