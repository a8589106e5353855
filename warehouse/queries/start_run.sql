INSERT INTO ingest_runs (run_id, flow_run_id, started_at, status) VALUES ($run_id, $flow_run_id, $now, 'running');
