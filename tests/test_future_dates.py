"""The fast suite passes whatever the date: run it again with the wall clock in 2027 and in 2029.

A test that passes this week and fails next week is a defect, so this runs
the fast tests (``-m "not e2e"``) in a child pytest whose processes, the
servers they start included, see a wall clock that starts at a fixed
future instant and ticks on (``tests/support/shifted_clock``, time-machine:
the monotonic clock, sleeps and lock time-outs are left alone).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SHIFTED_CLOCK = PROJECT / "tests" / "support" / "shifted_clock"

FUTURE = ("2027-06-15T09:00:00+07:00", "2029-02-10T09:00:00+07:00")
"""A weekday after the old sample holiday file ends, and a Saturday three days before Tết 2029 (13 Feb)."""


def _shifted_env(instant: str) -> dict[str, str]:
    path = os.pathsep.join(filter(None, [str(SHIFTED_CLOCK), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "MOTCUA_TEST_CLOCK": instant, "PYTHONPATH": path}


@pytest.mark.parametrize("instant", FUTURE)
def test_a_child_process_sees_the_shifted_clock(instant):
    """The check below means something only if the clock really moved, in every process it starts."""
    probe = "import datetime, time; print(datetime.date.today(), time.strftime('%Y'))"
    out = subprocess.run([sys.executable, "-c", probe], env=_shifted_env(instant), capture_output=True,
                         text=True, check=True, timeout=60).stdout.split()
    assert out == [instant[:10], instant[:4]]


@pytest.mark.e2e
@pytest.mark.parametrize("instant", FUTURE)
def test_the_fast_suite_passes_at_a_future_date(instant):
    command = [sys.executable, "-m", "pytest", "tests", "-m", "not e2e", "-q", "-p", "no:cacheprovider",
               "-x", "--ignore", str(Path(__file__).relative_to(PROJECT)),
               # time-machine is imported by sitecustomize before pytest loads it as a plugin.
               "-W", "ignore:Module already imported:pytest.PytestAssertRewriteWarning"]
    result = subprocess.run(command, cwd=PROJECT, env=_shifted_env(instant), capture_output=True, text=True,
                            timeout=900)
    assert result.returncode == 0, f"at {instant}:\n{result.stdout[-6000:]}\n{result.stderr[-2000:]}"
    assert " passed" in result.stdout.splitlines()[-1]
