-- migrate:up
-- migrate:lock-timeout 99999999999h
-- migrate:irreversible now
SELECT 1;