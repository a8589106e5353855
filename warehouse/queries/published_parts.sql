-- The file each published partition is read from now.
SELECT table_name, part, path FROM published_parts ORDER BY ALL;
