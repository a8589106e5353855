-- What the export wrote, for export_record.sql: every row of the rewritten days, in order.
SELECT article_id, day, fingerprint FROM export_batch ORDER BY day, dated_at, article_id;
