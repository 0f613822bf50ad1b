-- migrate:lock-timeout 5s
ALTER TABLE accounts ADD COLUMN nickname text;
-- PostgreSQL 18: a named NOT NULL constraint.
ALTER TABLE accounts ADD CONSTRAINT accounts_email_not_null NOT NULL email;
CREATE FUNCTION greet(name text) RETURNS text LANGUAGE plpgsql AS $body$
BEGIN
  RETURN 'hello; ' || name;  -- a semicolon in a string; and in a comment
END;
$body$;
