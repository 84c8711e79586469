"""`python -m fluxpack deb`: the .deb and its SHA256SUMS (what `make package` runs)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fluxpack import PackagingError
from fluxpack.checksums import write_sums
from fluxpack.deb import Sources, build


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="fluxpack", description=__doc__)
    sub = parser.add_subparsers(dest="kind", required=True)
    deb = sub.add_parser("deb", help="a Debian/Ubuntu package from the PyInstaller bundle")
    deb.add_argument("--repo", type=Path, default=Path())
    deb.add_argument("--bundle", type=Path, default=Path("dist/fluxdesk"))
    deb.add_argument("--out", type=Path, default=Path("dist"))
    deb.add_argument("--work", type=Path, default=Path("build/deb"))
    args = parser.parse_args(argv)
    try:
        package = build(Sources(repo=args.repo.resolve(), bundle=args.bundle.resolve()),
                        args.out.resolve(), args.work.resolve())
        sums = write_sums([package])
    except PackagingError as exc:
        print(f"fluxpack: {exc}", file=sys.stderr)
        return 1
    # stdout carries only the package's path, for `make package` to hand to lintian.
    print(f"fluxpack: wrote {sums}", file=sys.stderr)
    print(package)
    return 0


if __name__ == "__main__":
    sys.exit(main())
