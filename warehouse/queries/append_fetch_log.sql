INSERT INTO fetch_log SELECT * FROM batch_fetch_log;
