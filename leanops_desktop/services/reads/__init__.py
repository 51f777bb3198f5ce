"""Reading for the views: plain row objects (``core.rows``) of stations, jobs, assignments,
events, reports and users, by key or in pages; nothing here writes."""
