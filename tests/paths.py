"""Where the tests find the repository, its fixtures and ../shared, wherever a test file lives."""

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
SHARED = REPO.parent / "shared"
