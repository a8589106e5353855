-- Entries of batch_entries not yet discovered, per source (a source with none is left out).
SELECT source_name, count(*)
FROM batch_entries b ANTI JOIN discoveries d USING (source_name, entry_key)
GROUP BY source_name;
