-- migrate:no-transaction
-- noteCREATE INDEX CONCURRENTLY i ON t (a);
