"""``motcua printer test`` and ``motcua ticket print`` from the command line."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from queue_server.cli import main
from tests.support.escpos_stream import decode, raster_image
from tests.support.fake_printer import FakePrinter
from tests.support.qr import read_qr


def test_printer_test_prints_a_sample_ticket(capsys: pytest.CaptureFixture[str]) -> None:
    with FakePrinter() as printer:
        assert main(["printer", "test", printer.uri, "--paper", "58"]) == 0
        image = raster_image(decode(printer.wait_job()))
    assert image.width == 384
    assert "Đã in phiếu" in capsys.readouterr().out


def test_printer_test_on_a_mute_printer_prints_and_says_sent_not_confirmed(capsys: pytest.CaptureFixture[str]) -> None:
    with FakePrinter(behaviour="mute") as printer:
        assert main(["printer", "test", printer.uri, "--paper", "58"]) == 0
        image = raster_image(decode(printer.wait_job()))
    assert image.width == 384
    out = capsys.readouterr().out
    assert out.startswith(f"{printer.uri}: unconfirmed: Đã gửi phiếu tới máy in, nhưng máy in không xác nhận")
    assert "Sent, not confirmed" in out and out.index("Đã gửi") < out.index("Sent")
    assert out.count("\n") == 1


def test_printer_test_to_png_names_the_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "test", f"png://{tmp_path}"]) == 0
    [png] = tmp_path.glob("*.png")
    assert str(png) in capsys.readouterr().out


def test_printer_test_on_a_dead_printer_fails_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["printer", "test", "tcp://127.0.0.1:9", "--timeout", "0.5"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("motcua: tcp://127.0.0.1:9: unreachable: Không in được phiếu")
    assert err.count("\n") == 1


def test_ticket_print_fetches_the_ticket_prints_it_and_reports_the_printer(office_server: Any) -> None:
    issued = requests.post(f"{office_server.url}/api/tickets", json={"service": "DC", "priority": "elderly"},
                           headers={"Authorization": f"Bearer {office_server.kiosk_token}",
                                    "Idempotency-Key": uuid.uuid4().hex}, timeout=5).json()["ticket"]
    with FakePrinter() as printer:
        code = main(["ticket", "print", str(issued["id"]), "--server", office_server.url,
                     "--token", office_server.kiosk_token, "--printer", printer.uri])
        image = raster_image(decode(printer.wait_job()))
    assert code == 0
    assert read_qr(image) == issued["status_url"]
    assert office_server.device_status()["printer"]["code"] == "ok"


def test_ticket_print_of_an_unknown_ticket_says_so(office_server: Any, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["ticket", "print", "999999", "--server", office_server.url, "--printer", "png:///nowhere"]) == 1
    assert "cannot fetch ticket 999999" in capsys.readouterr().err


def test_a_reprint_by_the_printed_number_says_in_lai_and_the_people_ahead_now(office_server: Any) -> None:
    headers = {"Authorization": f"Bearer {office_server.kiosk_token}"}
    first, second = (requests.post(f"{office_server.url}/api/tickets", json={"service": "VH"},
                                   headers={**headers, "Idempotency-Key": uuid.uuid4().hex}, timeout=5
                                   ).json()["ticket"] for _ in range(2))
    assert second["ahead"] == 1
    found = requests.get(f"{office_server.url}/api/tickets", params={"number": second["number"].lower()},
                         headers=headers, timeout=5)
    assert found.status_code == 200 and found.json()["ticket"]["id"] == second["id"]
    with FakePrinter() as printer:
        code = main(["ticket", "print", second["number"], "--server", office_server.url, "--token",
                     office_server.kiosk_token, "--printer", printer.uri, "--mode", "text"])
        stream = printer.wait_job()
    assert code == 0
    assert b" IN L" in stream  # "IN LẠI lúc HH:MM" in the printer's TCVN-3 font, as an inverted banner
    assert second["number"].encode() in stream and first["number"].encode() not in stream
    assert b": 1\n" in stream  # "Số người đang chờ: 1": the people ahead now, from the server


def test_a_printed_number_today_does_not_have_gets_a_clear_404(office_server: Any) -> None:
    headers = {"Authorization": f"Bearer {office_server.kiosk_token}"}
    answer = requests.get(f"{office_server.url}/api/tickets", params={"number": "Z999"}, headers=headers, timeout=5)
    assert answer.status_code == 404 and "Z999" in answer.json()["error"]["message"]
    assert requests.get(f"{office_server.url}/api/tickets", params={"number": "Z999"}, timeout=5).status_code == 401
