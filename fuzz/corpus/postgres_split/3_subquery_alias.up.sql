-- PostgreSQL 16: a subquery in FROM needs no alias.
CREATE VIEW big_accounts AS
  SELECT id FROM (SELECT id, balance FROM accounts WHERE balance > 1000);
CREATE FUNCTION account_count() RETURNS bigint LANGUAGE sql
BEGIN ATOMIC
  SELECT count(*) FROM accounts;
END;
INSERT INTO ledger (id, account_id, amount)
  SELECT n, n, 0 FROM generate_series(1, 3) AS n;
