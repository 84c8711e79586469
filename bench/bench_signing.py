"""Median time to build and sign a P2PKH v4 transaction with 100 / 1 000 / 5 000 inputs.

Run as ``python -m bench.bench_signing``; prints one JSON object. Signing should grow linearly with
the input count because the ZIP-243 shared digests are computed once per transaction.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

from flux.networks import MAINNET
from wallet.address import p2pkh_address
from wallet.keys import PrivateKey
from wallet.tx import build_signed_transaction

SIZES = (100, 1000, 5000)


def _inputs(count: int, keys: list[PrivateKey]) -> list[tuple[str, int, int, PrivateKey]]:
    return [
        (i.to_bytes(32, "big").hex(), i % 4, 100_000 + i, keys[i % len(keys)])
        for i in range(count)
    ]


def run_once(count: int, keys: list[PrivateKey], to: str) -> tuple[float, int]:
    inputs = _inputs(count, keys)
    total = sum(v for _, _, v, _ in inputs)
    start = time.perf_counter()
    tx = build_signed_transaction(
        inputs, [(to, total - 200 * count)], locktime=0, expiry_height=2_500_000, network=MAINNET
    )
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, tx.size()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5, help="runs per size (median reported)")
    args = parser.parse_args(argv)
    # A handful of keys, as in a real wallet; each key's scriptCode is computed once.
    keys = [PrivateKey(bytes([i + 1]) * 32) for i in range(8)]
    to = p2pkh_address(keys[0].public_key(), MAINNET)
    result: dict[str, object] = {"benchmark": "p2pkh_build_sign", "unit": "ms", "median_ms": {}}
    sizes: dict[str, int] = {}
    medians: dict[str, float] = {}
    for count in SIZES:
        runs = [run_once(count, keys, to) for _ in range(max(1, args.repeat))]
        medians[str(count)] = round(statistics.median(r[0] for r in runs), 2)
        sizes[str(count)] = runs[0][1]
    result["median_ms"] = medians
    result["tx_bytes"] = sizes
    result["ms_per_input"] = {k: round(v / int(k), 4) for k, v in medians.items()}
    result["repeat"] = max(1, args.repeat)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
