-- The rows an export writes: clean_articles plus its day folder and a fingerprint of the whole
-- row, so a later export can tell which articles changed. A temporary view: the database may
-- be open read-only.
CREATE OR REPLACE TEMP VIEW export_rows AS
SELECT c.*, CAST(c.dated_at AS DATE) AS day, md5(CAST(c AS VARCHAR)) AS fingerprint
FROM clean_articles c;
