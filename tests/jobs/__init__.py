"""The job system on real processes: rq workers, Redis outages and killed workers."""
