-- The partitions changed since the last publish.
SELECT DISTINCT table_name, part FROM publish_queue ORDER BY ALL;
