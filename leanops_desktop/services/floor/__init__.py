"""The floor: stations, jobs and what runs where (assign, block, complete), with the row
locks they share and their calls of the PostgreSQL floor and planning functions."""
