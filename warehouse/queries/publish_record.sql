-- Make the partitions just written (batch_published; path NULL: the partition is now empty)
-- the published ones and empty the queue, in one transaction.
DELETE FROM publish_queue;

DELETE FROM published_parts p USING batch_published b
WHERE p.table_name = b.table_name AND p.part = b.part;

INSERT INTO published_parts
SELECT table_name, part, path, row_count, bytes, publish_id FROM batch_published WHERE path IS NOT NULL;
