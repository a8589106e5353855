-- Raw pages fetched before $cutoff (keep_raw_pages_days); their articles stay, but `newsflow
-- reextract` can no longer re-run extraction on them. Pages are appended as they are fetched, so
-- the filter reads one timestamp column and skips the row groups entirely after the cutoff.
DELETE FROM raw_pages WHERE fetched_at < $cutoff;
