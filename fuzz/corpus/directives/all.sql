-- migrate:no-transaction
-- migrate:lock-timeout 5s
-- migrate:statement-timeout 10min
-- migrate:allow dropping-table
/* c */
DROP TABLE t;
-- migrate:irreversible
