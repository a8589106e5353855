-- Record feed entries (batch_entries) before their pages are fetched. A known entry whose
-- updated time changed goes back to pending so the article is fetched again.
INSERT INTO discoveries (
    source_name, entry_key, url, guid, title, published_raw, published_at, updated_raw,
    updated_at, problems, state, attempts, entry_json, first_seen_at, last_seen_at, first_run_id
)
SELECT
    source_name, entry_key, url, guid, title, published_raw, published_at, updated_raw,
    updated_at, problems, state, 0, entry_json, $now, $now, $run_id
FROM batch_entries
ON CONFLICT (source_name, entry_key) DO UPDATE SET
    last_seen_at = excluded.last_seen_at,
    state = CASE
        WHEN discoveries.state = 'done'
         AND excluded.state = 'pending'
         AND excluded.updated_raw IS DISTINCT FROM discoveries.updated_raw THEN 'pending'
        ELSE discoveries.state END,
    attempts = CASE
        WHEN discoveries.state = 'done'
         AND excluded.state = 'pending'
         AND excluded.updated_raw IS DISTINCT FROM discoveries.updated_raw THEN 0
        ELSE discoveries.attempts END,
    title = excluded.title,
    updated_raw = excluded.updated_raw,
    updated_at = excluded.updated_at,
    entry_json = excluded.entry_json;
