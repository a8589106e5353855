-- The newest publish an export had read (warehouse/publish.py): the next export to the folder
-- compares only the articles of partitions published after it, not every article. NULL for
-- exports before this: their next export compares everything once.
ALTER TABLE exports ADD COLUMN publish_id BIGINT;
