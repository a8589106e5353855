-- The columns an export writes (export_rows without its bookkeeping), to compare a file's with.
SELECT column_name, column_type FROM (DESCRIBE SELECT * EXCLUDE (day, fingerprint) FROM export_rows);
