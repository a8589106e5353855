-- Story signatures of articles fetched in the last $days days, for near-duplicate matching.
SELECT article_id, story_id, story_signature
FROM articles
WHERE story_signature IS NOT NULL
  AND fetched_at >= now() - to_days(CAST($days AS INTEGER));
