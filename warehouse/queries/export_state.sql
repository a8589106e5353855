-- What $out_dir was last exported as: its format (NULL when never; formats are not mixed in one
-- folder) and the newest publish that export had read (0 when unknown: compare everything).
SELECT arg_max(format, finished_at), coalesce(arg_max(publish_id, finished_at), 0)
FROM exports
WHERE out_dir = $out_dir;
