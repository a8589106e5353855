-- Remember what $out_dir now holds (batch_exported) and log the export.
DELETE FROM exported_articles
WHERE out_dir = $out_dir AND ($full OR list_contains(CAST($days AS DATE[]), day));

INSERT OR REPLACE INTO exported_articles (out_dir, article_id, day, fingerprint, export_id)
SELECT $out_dir, article_id, day, fingerprint, $export_id FROM batch_exported;

INSERT INTO exports (export_id, out_dir, format, since, full_export, started_at, finished_at, articles, partitions, publish_id)
VALUES ($export_id, $out_dir, $format, $since, $full, $started_at, $finished_at, $articles, $partitions, $publish_id);
