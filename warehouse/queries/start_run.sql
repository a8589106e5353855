-- Open a run's row. The caller holds the run lock, so any run still marked running was killed.
UPDATE ingest_runs SET status = 'interrupted' WHERE status = 'running';
INSERT INTO ingest_runs (run_id, flow_run_id, started_at, status) VALUES ($run_id, $flow_run_id, $now, 'running');

INSERT INTO publish_queue VALUES ('ingest_runs', 'all');
