"""FluxDesk composition root: entry point, settings, logging and wiring of services."""

from importlib import metadata


def _version() -> str:
    """The version pyproject.toml declares, read from the installed (or frozen) package metadata."""
    try:
        return metadata.version("fluxdesk")
    except metadata.PackageNotFoundError:
        # A source tree that was never installed: pyproject.toml is still the one place.
        import tomllib
        from pathlib import Path

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        with pyproject.open("rb") as f:
            return str(tomllib.load(f)["project"]["version"])


__version__ = _version()
