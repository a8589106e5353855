-- The format last exported to $out_dir (NULL when never), to refuse mixing formats in one folder.
SELECT arg_max(format, finished_at) FROM exports WHERE out_dir = $out_dir;
