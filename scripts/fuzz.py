#!/usr/bin/env python3
"""Fuzz every reader for longer than the test suite does (the same target: tests/fuzzing.py).

    .venv/bin/python scripts/fuzz.py                      # 10 minutes over every kind (mutations)
    .venv/bin/python scripts/fuzz.py --minutes 60 --kind pdf --kind docx
    .venv/bin/python scripts/fuzz.py --atheris --kind html  # coverage-guided (pip install atheris)

Failures are written to out/fuzz/<kind>-<n>.bin with the reason beside them (.txt), and the run
goes on; the exit code is 1 when any input failed. Inputs are generated from nianbao's own seeds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fuzzing import KINDS, FuzzFailure, mutate, run_target, seeds  # noqa: E402


def _save(out: Path, kind: str, data: bytes, reason: str, n: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"{kind.replace('.', '-')}-{n}"
    stem.with_suffix(".bin").write_bytes(data)
    stem.with_suffix(".txt").write_text(reason + "\n", encoding="utf-8")


def mutation_run(kinds: list[str], minutes: float, seed: int, out: Path) -> int:
    rng = random.Random(seed)
    corpus = {k: [seeds()[k]] for k in kinds}
    deadline = time.monotonic() + minutes * 60
    runs = failures = 0
    seen: set[str] = set()
    while time.monotonic() < deadline:
        kind = rng.choice(kinds)
        data = mutate(rng.choice(corpus[kind]), rng, rounds=rng.choice((1, 4, 16)))
        runs += 1
        try:
            outcome = run_target(data, kind)
        except FuzzFailure as exc:
            key = str(exc).split(":", 2)[1][:80]
            if key not in seen:  # one sample of each kind of failure
                seen.add(key)
                failures += 1
                _save(out, kind, data, str(exc), failures)
                print(f"FAIL {kind}: {exc}", flush=True)
            continue
        if outcome == "ok" and len(corpus[kind]) < 64:
            corpus[kind].append(data)  # readable mutants breed further
        if runs % 200 == 0:
            print(f"{runs} inputs, {failures} distinct failures", flush=True)
    print(f"done: {runs} inputs in {minutes:g} min, {failures} distinct failures")
    return 1 if failures else 0


def atheris_run(kinds: list[str], out: Path, extra: list[str]) -> int:
    try:
        import atheris
    except ImportError:
        sys.exit("atheris is not installed: .venv/bin/pip install atheris")
    n = 0

    def target(data: bytes) -> None:
        nonlocal n
        fdp = atheris.FuzzedDataProvider(data)
        kind = kinds[fdp.ConsumeIntInRange(0, len(kinds) - 1)]
        body = fdp.ConsumeBytes(fdp.remaining_bytes())
        if len(body) < 8:  # too little to be a document: a mutant of the seed of its kind instead
            body = mutate(seeds()[kind], random.Random(int.from_bytes(body or b"0", "big")))
        try:
            run_target(body, kind)
        except FuzzFailure as exc:
            n += 1
            _save(out, kind, body, str(exc), n)
            raise

    with atheris.instrument_imports(include=["nianbao"]):  # coverage of nianbao's own code
        for kind in kinds:  # imports every reader the kinds reach
            run_target(seeds()[kind], kind)
    atheris.Setup([sys.argv[0], *extra], target)
    atheris.Fuzz()
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kind", action="append", choices=KINDS, help="kinds of input (default: all)")
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "out" / "fuzz")
    ap.add_argument("--atheris", action="store_true", help="coverage-guided with atheris (libFuzzer)")
    args, extra = ap.parse_known_args()
    kinds = args.kind or list(KINDS)
    if args.atheris:
        return atheris_run(kinds, args.out, extra)
    return mutation_run(kinds, args.minutes, args.seed, args.out)


if __name__ == "__main__":
    sys.exit(main())
