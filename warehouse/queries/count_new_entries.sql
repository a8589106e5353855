-- Entries of batch_entries not yet discovered.
SELECT count(*) FROM batch_entries b ANTI JOIN discoveries d USING (source_name, entry_key);
