-- Lookup allowances shared by every server (`lookout serve --shared-limits`):
-- one row per limiter key (a keyed hash, hex; never an email, order number or
-- address), holding the time in Unix milliseconds at which its allowance is
-- whole again. Rows whose time has passed carry nothing and are deleted.
CREATE TABLE lookup_allowances (
    limit_key TEXT PRIMARY KEY,
    whole_at  BIGINT NOT NULL
);
CREATE INDEX lookup_allowances_whole_at ON lookup_allowances (whole_at);

-- Secrets the servers share, made once by the first server that needs one:
-- `limiter` keys the hash that limiter keys are made with.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
