"""Stage pipelines: transitions and entry requirements enforced on record writes, time in stage recorded."""
