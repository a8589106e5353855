-- What the export wrote, for export_record.sql: every row of the rewritten days.
SELECT article_id, day, fingerprint FROM export_batch;
