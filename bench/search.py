"""Benchmark of the procedure catalogue: search quality, search latency, import time.

Prints the figures the catalogue issue asks for:
- search_eval.tsv on the sample commune catalogue (56 real procedures):
  share of queries whose expected procedure is first, and in the top 3;
- the same queries on a synthetic 2,000-procedure catalogue made from the
  real rows (variants with long texts, as a provincial catalogue has);
- search latency on that catalogue, in-process (p50, p99; wall clock and
  CPU time) and through the HTTP API of `motcua serve` on loopback
  (keep-alive client; p50, p99);
- import of that catalogue (CSV, validated, written in one transaction).

Run: .venv/bin/python bench/search.py [--procedures 2000] [--rounds 20]
"""

from __future__ import annotations

import argparse
import csv
import http.client
import os
import random
import subprocess
import sys
import tempfile
import time
import unicodedata
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from queue_server.catalog.codec import read_catalog, write_catalog  # noqa: E402
from queue_server.catalog.lexicon import default_lexicon  # noqa: E402
from queue_server.catalog.model import ChannelTerms, Document, Procedure  # noqa: E402
from queue_server.catalog.normalize import fold  # noqa: E402
from queue_server.catalog.search import SearchIndex  # noqa: E402

SAMPLE = ROOT / "config" / "commune_procedures.json"
EVAL = ROOT.parent / "shared" / "data" / "search_eval.tsv"

# Qualifiers a provincial catalogue adds to the same procedure name.
QUALIFIERS = ("", " tại cấp tỉnh", " có yếu tố nước ngoài", " đối với người Việt Nam định cư ở nước ngoài",
              " trong trường hợp đặc biệt", " (liên thông)", " cho doanh nghiệp", " đối với tổ chức",
              " qua dịch vụ bưu chính", " tại khu kinh tế", " đối với công trình cấp đặc biệt",
              " (thủ tục rút gọn)", " đối với cơ sở giáo dục", " tại Ban Quản lý", " lần hai",
              " đối với hợp tác xã", " cho hộ gia đình, cá nhân", " trong lĩnh vực thủy sản",
              " đối với tàu cá", " trên địa bàn nông thôn", " thuộc thẩm quyền của Sở",
              " đối với người nước ngoài", " của cơ sở y tế", " ở vùng dân tộc thiểu số",
              " trong khu công nghiệp", " có thời hạn", " đối với cơ quan nhà nước",
              " đối với người hưởng lương hưu", " tại đặc khu", " của Ủy ban nhân dân tỉnh",
              " đối với dự án đầu tư", " theo cơ chế một cửa liên thông", " (cấp điện tử)",
              " đối với công dân", " do thay đổi địa giới hành chính", " khi sáp nhập")


def synthetic_catalog(real: list[Procedure], size: int, seed: int = 7) -> list[Procedure]:
    """``size`` procedures: the real rows first, then variants of them with long texts."""
    rng = random.Random(seed)
    texts = [p.processing_time for p in real] + [p.fee for p in real] + [d.name for p in real for d in p.documents]
    procedures: list[Procedure] = []
    for i in range(size):
        base = real[i % len(real)]
        variant = i // len(real)
        numbered = f" (mẫu {variant})" if variant >= len(QUALIFIERS) else ""
        name = base.name + QUALIFIERS[variant % len(QUALIFIERS)] + numbered
        procedures.append(replace(
            base,
            code=base.code if variant == 0 else f"9.{i:06d}",
            name=name,
            steps=tuple(" ".join(rng.choices(texts, k=4)) for _ in range(5)),
            channels=("direct", "online", "postal"),
            documents=base.documents + tuple(Document(rng.choice(texts)[:200], "copy", 1, f"mau-{i}-{k}.docx")
                                             for k in range(rng.randint(2, 6))),
            channel_terms=(ChannelTerms("direct", base.processing_time, base.fee),
                           ChannelTerms("online", base.processing_time, base.fee)),
            applicants="Công dân Việt Nam; người nước ngoài thường trú; tổ chức, doanh nghiệp có liên quan",
            agency="Ủy ban nhân dân cấp xã; Sở Tư pháp; Công an tỉnh",
            result=f"Quyết định, giấy chứng nhận hoặc văn bản trả lời về {base.name.lower()}",
            conditions=" ".join(rng.choices(texts, k=6)),
            legal_basis=("Luật Hộ tịch 2014", "Nghị định 123/2015/NĐ-CP", "Nghị định 118/2025/NĐ-CP",
                         "Thông tư 04/2020/TT-BTP"),
        ))
    return procedures


def eval_queries() -> list[tuple[str, list[str]]]:
    """(query, expected names) from the shared evaluation file."""
    with EVAL.open(encoding="utf-8", newline="") as handle:
        return [(r["query"], r["expected_names"].split(";")) for r in csv.DictReader(handle, delimiter="\t")]


def quality(index: SearchIndex, queries: list[tuple[str, list[str]]]) -> tuple[float, float, list[str]]:
    """Share of queries with an expected procedure first, and in the top 3; the misses."""
    first = top3 = 0
    misses: list[str] = []
    for query, expected in queries:
        names = [hit.procedure.name for hit in index.search(query + " ", limit=3)]
        first += bool(names) and names[0] in expected
        in_top3 = any(name in expected for name in names)
        top3 += in_top3
        if not (names and names[0] in expected):
            misses.append(f"{'top-3' if in_top3 else 'MISS '} {query!r} → {names[0] if names else '(nothing)'}")
    return first / len(queries), top3 / len(queries), misses


def query_mix(queries: list[tuple[str, list[str]]]) -> list[str]:
    """What a kiosk sends: full queries, without diacritics, in NFD, and prefixes while typing."""
    mix: list[str] = []
    for query, _ in queries:
        mix += [query, fold(query), unicodedata.normalize("NFD", query)]
        mix += [query[:n] for n in range(3, len(query), 4)]  # keystrokes as the citizen types
    return mix


def percentile(samples: list[float], p: float) -> float:
    """The p-th percentile (nearest rank) in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * len(ordered) + 0.5)) - 1)] * 1000


def bench_in_process(index: SearchIndex, mix: list[str], rounds: int) -> tuple[list[float], list[float]]:
    """Seconds per search call: wall clock, and CPU time of this thread (what other load cannot inflate)."""
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(rounds):
        for query in mix:
            start, start_cpu = time.perf_counter(), time.thread_time()
            index.search(query, limit=10)
            cpu.append(time.thread_time() - start_cpu)
            wall.append(time.perf_counter() - start)
    return wall, cpu


def bench_http(db_path: Path, mix: list[str], rounds: int) -> list[float]:
    """Seconds per GET /api/procedures?q=… against `motcua serve` on loopback (one keep-alive client)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, "-m", "queue_server.cli", "serve", "--db", str(db_path),
                               "--port", str(port), "--config", str(ROOT / "config" / "commune.toml")],
                              cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        conn = _connect_when_up(port)
        start = time.perf_counter()
        conn.request("GET", "/api/procedures?q=warm")  # builds the index once
        conn.getresponse().read()
        print(f"first search after the server started (waits for the start-up index build): "
              f"{time.perf_counter() - start:.2f} s")
        samples: list[float] = []
        for _ in range(rounds):
            for query in mix:
                path = "/api/procedures?" + urlencode({"q": query, "limit": 10})
                start = time.perf_counter()
                conn.request("GET", path)
                response = conn.getresponse()
                response.read()
                samples.append(time.perf_counter() - start)
                assert response.status == 200, response.status
        conn.close()
        return samples
    finally:
        server.terminate()
        server.wait(timeout=30)


def _connect_when_up(port: int, timeout: float = 60.0) -> http.client.HTTPConnection:
    """A keep-alive connection to the server once it answers /api/health."""
    deadline = time.monotonic() + timeout
    while True:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", "/api/health")
            conn.getresponse().read()
            return conn
        except OSError:
            conn.close()
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def bench_import(procedures: list[Procedure], workdir: Path) -> tuple[float, int]:
    """Seconds for `motcua catalog import` of the catalogue as CSV, and the file size."""
    from queue_server.cli import main

    path = workdir / "province.csv"
    path.write_bytes(write_catalog("bench", procedures, "csv"))
    assert main(["init", "--db", str(workdir / "import.db"), "--config", str(ROOT / "config" / "commune.toml")]) == 0
    start = time.perf_counter()
    status = main(["catalog", "import", str(path), "--version", "bench-2000", "--db", str(workdir / "import.db"),
                   "--config", str(ROOT / "config" / "commune.toml")])
    elapsed = time.perf_counter() - start
    assert status == 0
    return elapsed, path.stat().st_size


def main() -> int:
    """Run everything and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--procedures", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=20, help="passes over the query mix")
    args = parser.parse_args()

    real = list(read_catalog(SAMPLE.read_bytes(), "json", source=SAMPLE.name).procedures)
    queries = eval_queries()
    lexicon = default_lexicon()
    print(f"# Catalogue search benchmark ({len(queries)} evaluation queries; {os.cpu_count()} CPUs, "
          f"load average {os.getloadavg()[0]:.1f} at start)\n")

    first, top3, misses = quality(SearchIndex(real, lexicon), queries)
    print(f"sample catalogue ({len(real)} procedures): first {first:.1%}, top-3 {top3:.1%}")
    for miss in misses:
        print(f"    {miss}")

    big = synthetic_catalog(real, args.procedures)
    start = time.perf_counter()
    index = SearchIndex(big, lexicon)
    build = time.perf_counter() - start
    first, top3, _ = quality(index, queries)
    print(f"synthetic catalogue ({len(big)} procedures): first {first:.1%}, top-3 {top3:.1%}; "
          f"index built in {build:.2f} s")

    mix = query_mix(queries)
    wall, cpu = bench_in_process(index, mix, args.rounds)
    print(f"search in-process: {len(wall)} queries, p50 {percentile(wall, 50):.2f} ms, "
          f"p99 {percentile(wall, 99):.2f} ms, max {max(wall) * 1000:.2f} ms "
          f"(CPU time: p50 {percentile(cpu, 50):.2f} ms, p99 {percentile(cpu, 99):.2f} ms)")

    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        seconds, size = bench_import(big, workdir)
        print(f"import of {len(big)} procedures ({size / 1e6:.1f} MB CSV): {seconds:.2f} s")
        http_rounds = max(1, args.rounds // 4)
        samples = bench_http(workdir / "import.db", mix, http_rounds)
        print(f"search over HTTP (`motcua serve`, loopback): {len(samples)} requests, "
              f"p50 {percentile(samples, 50):.2f} ms, p99 {percentile(samples, 99):.2f} ms")
    print(f"\nload average at the end: {os.getloadavg()[0]:.1f} "
          "(other work on this machine inflates wall-clock figures)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
