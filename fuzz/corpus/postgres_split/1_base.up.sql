-- Ordinary statements and a $$ body with semicolons inside: every PostgreSQL version reads them.
CREATE TABLE accounts (id bigint PRIMARY KEY, email text, balance numeric);
CREATE TABLE ledger (id bigint PRIMARY KEY, account_id bigint, amount numeric);
CREATE FUNCTION lower_email() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.email := lower(NEW.email);
  RETURN NEW;
END;
$$;
