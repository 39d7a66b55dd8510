"""Both lobby boards, calls and late recalls: call → board repainted and call → speech starts (issue 14 figures).

    .venv/bin/python bench/boards.py [--pairs 12] [--gap 7] [--boards both|kivy|browser]

One server on a clock the bench moves (tests/support/clock_lobby.py: the Flask
app on loopback with the queue engine on a FakeClock), the Kivy board
(``motcua display --timings``, offscreen without a display) and the browser
board in headless Chromium (autoplay allowed, as after the one tap), both
following the same feed. Each pair is a Call-next of a new ticket, then the
server's clock moves 3 minutes and the clerk recalls it: a late recall, the
case that used to be neither flashed nor spoken. Times run from just before
the clerk's POST to:

- repainted: Kivy, the end of the first frame drawn with the event
  (``glFinish``, its timings line); browser, the first frame after the call
  panel's title and number changed (a MutationObserver, then
  ``requestAnimationFrame`` and a task after it);
- speech starts: Kivy, the speaker starting the announcement (the chime;
  the words follow the ~0.8 s chime); browser, the audio element's
  ``playing`` event for ``/display/audio/<event id>.wav`` (chime first),
  which includes the server rendering the WAV on the first board's request.

The gap between actions is longer than an announcement (chime and the
sentence twice: ~14 s with the sample office's voice), so a speech start is
not queued behind the previous call's words; a faster clerk queues them (both
boards say every call, in order, never over each other). Without a sound card
the Kivy board's speaker does not play, so it never queues: its figure is the
time to start an announcement on an idle speaker.

Targets (issue 14): repaint p99 ≤ 200 ms; speech starts p99 ≤ 1 s.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROJECT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(PROJECT))

from bench.display import percentile, summary  # noqa: E402  (after the path is set)

LATE_RECALL_MINUTES = 3  # the case: the citizen did not come, the clerk recalls 3 minutes later
BROWSER_PROBE = """
window.bench = {shown: {}, played: {}};
const now = () => performance.timeOrigin + performance.now();
const text = (id) => document.getElementById(id).textContent;
const key = () => text('call-title') + '|' + text('call-number');
new MutationObserver(() => {
  const k = key();
  if (k in window.bench.shown || document.getElementById('call').hidden) return;
  window.bench.shown[k] = null;
  requestAnimationFrame(() => setTimeout(() => { window.bench.shown[k] = now(); }, 0));
}).observe(document.getElementById('call'), {subtree: true, childList: true, characterData: true, attributes: true});
if (window.motcuaAudio) {
  window.motcuaAudio.player.addEventListener('playing', () => {
    window.bench.played[new URL(window.motcuaAudio.player.src).pathname] = now();
  });
}
"""


@dataclass(frozen=True)
class Action:
    """One clerk action the boards must show and say."""

    kind: str  # "call" | "late recall"
    number: str
    event_id: int
    sent: float  # wall-clock seconds just before the POST


def run_actions(lobby: Any, pairs: int, gap: float) -> list[Action]:
    """Call a new ticket, move the server's clock 3 minutes, recall it; ``pairs`` times."""
    broker = lobby.app.extensions["motcua.engine"].broker
    actions = []
    for _ in range(pairs):
        for kind in ("call", "late recall"):
            if kind == "late recall":
                lobby.clock.advance(minutes=LATE_RECALL_MINUTES)
            sent = time.time()
            answer = lobby.act(5, "call-next" if kind == "call" else "recall")
            actions.append(Action(kind, answer["ticket"]["number"], broker.last_id, sent))
            time.sleep(gap)
    return actions


def start_kivy(url: str, token: str, config: Path, timings: Path, log: Path) -> subprocess.Popen:
    """``motcua display`` with a timings file (real time: no record mode)."""
    env = {**os.environ, "KIVY_NO_ARGS": "1"}
    with open(log, "ab") as out:
        return subprocess.Popen([sys.executable, "-m", "queue_server.cli", "display", "--server", url, "--token", token,
                                 "--config", str(config), "--timings", str(timings)],
                                cwd=PROJECT, env=env, stdout=out, stderr=out)


def stop(process: subprocess.Popen) -> None:
    """End the board (SIGTERM: it finishes its frame and its speaker)."""
    process.terminate()
    process.wait(15)


def kivy_figures(timings: Path, actions: list[Action]) -> dict[tuple[str, str], list[float]]:
    """Milliseconds per (kind, measure) from the board's timings lines."""
    lines = [json.loads(line) for line in timings.read_text().splitlines()] if timings.exists() else []
    painted = {t["event_id"]: t["painted"] for t in lines if "painted" in t and t.get("flashed")}
    spoken = {t["event_id"]: t["speech_started"] for t in lines if "speech_started" in t}
    return _figures(actions, painted, spoken)


def browser_figures(bench: dict, actions: list[Action]) -> dict[tuple[str, str], list[float]]:
    """Milliseconds per (kind, measure) from the page's probe (its times are milliseconds since the epoch)."""
    painted, spoken = {}, {}
    for action in actions:
        title = "MỜI LẠI CÔNG DÂN SỐ" if action.kind == "late recall" else "MỜI CÔNG DÂN SỐ"
        shown = bench["shown"].get(f"{title}|{action.number}")
        if shown:
            painted[action.event_id] = shown / 1000
        played = bench["played"].get(f"/display/audio/{action.event_id}.wav")
        if played:
            spoken[action.event_id] = played / 1000
    return _figures(actions, painted, spoken)


def _figures(actions: list[Action], painted: dict[int, float], spoken: dict[int, float]):
    figures: dict[tuple[str, str], list[float]] = {}
    for action in actions:
        for measure, times in (("repainted", painted), ("speech starts", spoken)):
            values = figures.setdefault((action.kind, measure), [])
            if action.event_id in times:
                values.append((times[action.event_id] - action.sent) * 1000)
    return figures


def report(board: str, figures: dict[tuple[str, str], list[float]], expected: int) -> None:
    print(f"{board}:")
    for (kind, measure), values in figures.items():
        target = 200 if measure == "repainted" else 1000
        line = summary(f"{kind} → {measure}", values) if values else f"{kind} → {measure}: none measured"
        verdict = "" if not values else (f"  p99 {'≤' if percentile(values, 0.99) <= target else '>'} {target} ms")
        print(f"  {line}{verdict}  [{len(values)}/{expected}]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=8, help="calls, each recalled 3 server minutes later")
    parser.add_argument("--gap", type=float, default=15.0, help="seconds between actions (longer than a call's words)")
    parser.add_argument("--boards", choices=("both", "kivy", "browser"), default="both")
    args = parser.parse_args()

    from tests.support.browser import headless_chromium
    from tests.support.clock_lobby import clock_lobby, template_db
    from tests.support.servers import office_config

    work = Path(tempfile.mkdtemp(prefix="motcua-bench-boards-"))
    config = office_config(work, {"flash_seconds = 8": "flash_seconds = 4"})
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # one line per request would bury the figures
    print(f"load average before: {os.getloadavg()[0]:.2f} ({os.cpu_count()} cores); work dir {work}")
    with ExitStack() as stack:
        lobby = stack.enter_context(clock_lobby(template_db(work), config))
        for _ in range(args.pairs):
            lobby.take("VH")
        timings = work / "timings.jsonl"
        display: subprocess.Popen | None = None
        browser: Any = None
        if args.boards in ("both", "kivy"):
            display = start_kivy(lobby.url, lobby.display_token, config, timings, work / "display.log")
            stack.callback(stop, display)
        if args.boards in ("both", "browser"):
            browser = stack.enter_context(headless_chromium("1920,1080", "--autoplay-policy=no-user-gesture-required"))
            browser.get(lobby.url + "/display")
            time.sleep(1.0)
            browser.execute_script(BROWSER_PROBE)
        deadline = time.monotonic() + 60
        while display and not (timings.exists() and "snapshot" in timings.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(3.0)  # first frames, media and the audio probe settle
        actions = run_actions(lobby, args.pairs, args.gap)
        time.sleep(3.0)
        expected = args.pairs
        print(f"{args.pairs} calls and {args.pairs} late recalls ({LATE_RECALL_MINUTES} min by the server's clock), "
              f"one action every {args.gap:.1f} s, 1920x1080, boards: {args.boards}")
        if display:
            report("Kivy board (motcua display, software OpenGL, no sound card: speech start = chime start)",
                   kivy_figures(timings, actions), expected)
        if browser:
            probe = browser.execute_script("return window.bench")
            audio = browser.execute_script("return !!window.motcuaAudio")
            report(f"browser board (headless Chromium{', audio.js' if audio else ', no audio.js: no speech'})",
                   browser_figures(probe, actions), expected)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
