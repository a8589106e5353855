-- Write one day of export_batch to the file $path (parquet).
COPY (SELECT * EXCLUDE (day, fingerprint) FROM export_batch WHERE day = $day ORDER BY dated_at, article_id) TO $path (FORMAT parquet, COMPRESSION zstd);
