-- migrate:no-transaction
VACUUM ANALYZE t;
REINDEX INDEX CONCURRENTLY t_a;
