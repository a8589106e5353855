"""`python bench/pipeline.py [options]`: the end-to-end benchmark (bench/end_to_end.py; --help)."""

import sys
from pathlib import Path

# Run as a script, Python puts bench/ on sys.path, not the repository the bench package is in.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.end_to_end import main

if __name__ == "__main__":
    main()
