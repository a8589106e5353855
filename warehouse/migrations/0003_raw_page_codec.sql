-- Raw pages keep the server's own gzip stream when it sent one, instead of newsflow compressing
-- the page again (~2 CPU ms per page in the writer's process); html_codec says how
-- html_compressed decodes. Rows stored before this migration are zlib.
ALTER TABLE raw_pages RENAME COLUMN html_zlib TO html_compressed;
ALTER TABLE raw_pages ADD COLUMN html_codec VARCHAR DEFAULT 'zlib';
