"""The performance view: throughput, job progress, status timeline and key figures."""
