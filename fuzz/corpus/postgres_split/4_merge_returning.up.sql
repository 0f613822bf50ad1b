-- PostgreSQL 17: MERGE ... RETURNING.
MERGE INTO accounts a
USING (VALUES (1, 'a@example.com')) AS v(id, email) ON a.id = v.id
WHEN MATCHED THEN UPDATE SET email = v.email
WHEN NOT MATCHED THEN INSERT (id, email) VALUES (v.id, v.email)
RETURNING merge_action(), a.id;
DO $$
DECLARE n int;
BEGIN
  SELECT count(*) INTO n FROM accounts;
  RAISE NOTICE 'accounts: %', n;
END;
$$;
