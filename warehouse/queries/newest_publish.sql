-- The newest publish recorded (0 before the first): an export records that it read up to it,
-- and the next publish numbers itself after it.
SELECT coalesce(max(publish_id), 0) FROM published_parts;
