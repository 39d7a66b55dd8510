"""Start every Python process of a test run at another date: ``MOTCUA_TEST_CLOCK=2029-02-10T09:00:00+07:00``.

Put this folder on ``PYTHONPATH`` (tests/test_future_dates.py does) and the
pytest process and every server it starts see a wall clock that starts at
that instant and ticks on. time-machine moves only the wall clock (time.time,
datetime.now, date.today, …), never the monotonic clock, so sleeps, lock
time-outs and condition waits behave as usual; libfaketime fakes them too
and makes threaded Python hang or fail with EINVAL.
"""

import os

_instant = os.environ.get("MOTCUA_TEST_CLOCK")
if _instant:
    import time_machine

    time_machine.travel(_instant, tick=True).start()
