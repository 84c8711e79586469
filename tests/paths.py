"""Where tests find the repository and the shared specs/vectors (a sibling folder of the repo)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DIR = REPO_ROOT.parent / "shared"
VECTORS_DIR = SHARED_DIR / "vectors"
