"""PostgreSQL server engine: our tokens and BM25F in SQL, Citus-ready."""
