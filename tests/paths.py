"""Where tests find the repository and the published test vectors (inside the repository)."""

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
VECTORS_DIR = REPO_ROOT / "tests" / "vectors"
