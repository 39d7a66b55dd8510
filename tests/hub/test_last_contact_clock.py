"""An office's last contact at the hub is the hub's clock, not PostgreSQL's ``now()``: tests and the demo move it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from queue_server.hub import store


def test_a_batch_stamps_the_office_last_contact_with_the_time_it_is_given(hub_dsn: str) -> None:
    then = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    with store.connect(hub_dsn) as conn:
        store.add_office(conn, "XA-A", "Xã A")
        for now in (then, then + timedelta(days=7)):
            store.ingest(conn, store.Batch(office="XA-A", events_after=0, events_last=0, changes_after=0,
                                           changes_last=0), now)
            office = store.office(conn, "XA-A")
            assert office is not None and office.last_contact_at == now
