"""Imported once by the worker pool's fork server, before it forks any worker.

What is loaded here is shared, copy-on-write, by every worker instead of being loaded by each:
the extraction and feed-parsing modules, the py3langid model (~70 MB, which the workers only
read) and the data the extractor's fallbacks load on first use (jusText's stoplists: ~27 MB).
bench/pipeline.py: the fork server and its two workers fell from 0.59 to ~0.47 GB PSS with the
model, and to ~0.43 GB with the warm-up extraction and tasks.runtime.workers' heap trimming.
"""

import gc

from tasks.article import extract, page  # noqa: F401 - imported to be shared
from tasks.article.language import warm_up
from tasks.feeds import parse  # noqa: F401 - imported to be shared

warm_up()
extract.warm_up()
# The collector would otherwise write to every shared object in every worker, copying the
# memory pages that hold them.
gc.freeze()
