"""Property: whatever the order of bookings and cancellations, no slot ever holds more than its capacity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

import sqlite_utils
from hypothesis import given, settings
from hypothesis import strategies as st

from queue_server.appointments import booking, store
from queue_server.appointments.settings import load_settings
from queue_server.config import load_config
from queue_server.engine import CommandContext
from queue_server.web.errors import ApiError
from tests.support.clock import MORNING
from tests.support.live_server import COMMUNE

SETTINGS = load_settings(load_config(COMMUNE))
OFFICE = load_config(COMMUNE).office
SLOTS = [datetime(2026, 3, 3, 8, 0), datetime(2026, 3, 3, 8, 30)]
NOW = MORNING  # the day before the slots, at 08:00 in Hà Nội


@dataclass
class FakeContext:
    """What a booking command reads from the engine's context."""

    conn: object
    office: object = OFFICE
    now: datetime = NOW


actions = st.lists(st.tuples(st.sampled_from(["book", "cancel"]), st.sampled_from(["HT", "DC"]),
                             st.integers(0, 1), st.integers(0, 50)), max_size=40)


@settings(max_examples=60, deadline=None)
@given(actions)
def test_no_slot_ever_holds_more_than_its_capacity(steps) -> None:
    db = sqlite_utils.Database(memory=True)
    store.apply_migrations(db)
    ctx = cast(CommandContext, FakeContext(db.conn))  # the part of the engine's context a booking reads
    codes: list[str] = []
    for action, service, slot_index, pick in steps:
        slot = SLOTS[slot_index]
        held = store.seats_in_slot(db.conn, service, slot.strftime(booking.SLOT_FORMAT))
        capacity = SETTINGS.rules.services[service].capacity
        if action == "book":
            try:
                codes.append(booking.book_command(SETTINGS, service, slot, None)(ctx)["code"])
                assert held < capacity
            except ApiError as refused:
                assert refused.code == "slot_full" and held >= capacity
        elif codes:
            booking.cancel_command(SETTINGS, codes[pick % len(codes)])(ctx)
        for check_service in ("HT", "DC"):
            for check_slot in SLOTS:
                seats = store.seats_in_slot(db.conn, check_service, check_slot.strftime(booking.SLOT_FORMAT))
                assert seats <= SETTINGS.rules.services[check_service].capacity
