-- One day of articles (by the day each was first stored), newest first so a reader's filter or
-- top-n on the date skips row groups. story_signature is the writer's (near-duplicate index).
SELECT * EXCLUDE (story_signature)
FROM articles
WHERE stored_on = CAST($part AS DATE)
ORDER BY coalesce(published_at, fetched_at) DESC;
