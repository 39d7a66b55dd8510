"""A real server and the real display client (Kivy offscreen), recording PNGs and WAVs."""

from __future__ import annotations

import time

import pytest
from PIL import Image

from queue_server.client import QueueClient, new_idempotency_key
from speech import wav_stats
from tests.support.kivy_board import PROJECT, names, start_display, stop, wait_for

from .fakesse import FakeEventServer, counter, ticket


@pytest.mark.e2e
def test_three_calls_then_a_server_restart(live_server, tmp_path):
    record = tmp_path / "record"
    display = start_display(live_server.url, record, "--token", live_server.tokens["display"])
    try:
        kiosk = QueueClient(live_server.url, live_server.tokens["kiosk"])
        for service in ("HT", "HT", "VP", "HT"):
            kiosk.issue_ticket(service, idempotency_key=new_idempotency_key())
        wait_for(lambda: any("snapshot" in n for n in names(record, "*.png")), what="the first picture")
        clerks = {n: QueueClient(live_server.url, live_server.login(f"quay{n}")) for n in (1, 2, 3)}
        called = [clerks[n].counter_action(n, "call-next")["ticket"]["number"] for n in (1, 3, 2)]
        assert called == ["A001", "B001", "A002"]
        wait_for(lambda: len(names(record, "*.wav")) == 3, what="three announcements")
        wavs = names(record, "*.wav")
        assert [w.split("-", 2)[2] for w in wavs] == ["A001-q1.wav", "B001-q3.wav", "A002-q2.wav"]
        for wav in wavs:
            stats = wav_stats(record / wav)
            assert stats.duration_s > 4 and stats.rms > 0.02  # chime + the sentence twice
        wait_for(lambda: len([n for n in names(record, "*.png") if "ticket.called" in n]) == 3, what="call pictures")
        pictures = names(record, "*.png")
        called_ids = [int(n.split("-")[1][1:]) for n in pictures if "ticket.called" in n]
        assert called_ids == sorted(called_ids)
        with Image.open(record / pictures[-1]) as image:
            assert image.size == (1920, 1080)

        live_server.kill()
        wait_for(lambda: any("connection.lost" in n for n in names(record, "*.png")), what="the lost-connection mark")
        live_server.start(timeout=60)
        wait_for(lambda: sum("connection.restored" in n for n in names(record, "*.png")) >= 2, what="reconnection")
        assert clerks[1].counter_action(1, "call-next")["ticket"]["number"] == "A003"
        wait_for(lambda: len(names(record, "*.wav")) == 4, what="the call after the restart")
        assert names(record, "*.wav")[-1].endswith("A003-q1.wav")
        time.sleep(0.5)
        assert len(names(record, "*.wav")) == 4  # nothing replayed twice
    finally:
        stop(display)


@pytest.mark.e2e
def test_a_portrait_screen_limited_to_its_zone(tmp_path):
    fake = FakeEventServer()
    record = tmp_path / "record"
    config = tmp_path / "office.toml"
    base = (PROJECT / "config" / "commune.toml").read_text(encoding="utf-8")
    base = base[: base.index("# Lobby screens")]
    config.write_text(base + '\n[display]\nticker = ["Đường dây nóng: 1900 1234."]\n'
                      '[[display.screens]]\nname = "quay-3"\ncounters = [3]\norientation = "portrait"\n',
                      encoding="utf-8")
    display = start_display(fake.url, record, "--config", str(config), "--screen", "quay-3", "--no-pairing")
    try:
        wait_for(lambda: any("snapshot" in n for n in names(record, "*.png")), what="the first picture")
        other = ticket(1, "A001", counter=1)
        fake.push("ticket.called", {"ticket": other, "counter": counter(1, "serving", other), "waiting": {"HT": 2}})
        mine = ticket(2, "B001", "VP", counter=3, service_name="Văn phòng – Thống kê")
        fake.push("ticket.called", {"ticket": mine, "counter": counter(3, "serving", mine, services=("VP",)),
                                    "waiting": {"VP": 0}})
        wait_for(lambda: len([n for n in names(record, "*.png") if "ticket.called" in n]) == 2, what="pictures")
        wait_for(lambda: len(names(record, "*.wav")) == 1, what="one announcement")
        time.sleep(0.5)
        assert names(record, "*.wav") == [names(record, "*.wav")[0]] and "B001-q3" in names(record, "*.wav")[0]
        with Image.open(record / names(record, "*.png")[-1]) as image:
            assert image.size == (1080, 1920)
    finally:
        stop(display)
        fake.close()
