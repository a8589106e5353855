"""Imported once by the worker pool's fork server, before it forks any worker.

What is loaded here is shared, copy-on-write, by every worker instead of being loaded by each:
the extraction and feed-parsing modules, and the py3langid model (~70 MB, which the workers
only read). bench/pipeline.py: the fork server and its two workers fell from 0.59 to ~0.47 GB PSS.
"""

import gc

from tasks import feeds, pages  # noqa: F401 - imported to be shared
from tasks.language import warm_up

warm_up()
# The collector would otherwise write to every shared object in every worker, copying the
# memory pages that hold them.
gc.freeze()
