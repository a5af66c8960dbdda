-- The merchant console: accounts, their shops, sessions, one-time password
-- links, the support view's audit log, the widget's daily counts and the last
-- Shopify deliveries. Times are RFC 3339 UTC text, days are YYYY-MM-DD (UTC).

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE, -- trimmed, lower case
    password_hash TEXT,                 -- Argon2id PHC string; NULL until a password is set
    created_at    TEXT NOT NULL
);

-- Which shops an account may open, and as what: owner (everything) or staff (support).
CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    role    TEXT NOT NULL CHECK (role IN ('owner', 'staff')),
    PRIMARY KEY (user_id, shop_id)
);
CREATE INDEX memberships_shop ON memberships(shop_id);

-- Set-password links: only the SHA-256 of the link's token is stored.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);
CREATE INDEX password_links_user ON password_links(user_id);

-- Signed-in browsers: only the SHA-256 of the cookie's value is stored.
CREATE TABLE sessions (
    id_hash    TEXT PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf       TEXT NOT NULL, -- the token every form of this session carries
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

-- Every time someone opened an order in the console's support view. The
-- account is kept by its email, so the log outlives a removed account.
CREATE TABLE support_views (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    email      TEXT NOT NULL,
    number_key TEXT NOT NULL,
    viewed_at  TEXT NOT NULL
);
CREATE INDEX support_views_shop ON support_views(shop_id, id);

-- What the widget did, per shop and UTC day. No email or order number: distinct
-- orders found are a HyperLogLog sketch of keyed hashes (4,096 registers, hex).
CREATE TABLE shop_days (
    shop_id INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    day     TEXT NOT NULL,
    found   BIGINT NOT NULL DEFAULT 0,
    missed  BIGINT NOT NULL DEFAULT 0,
    limited BIGINT NOT NULL DEFAULT 0,
    sketch  TEXT,
    PRIMARY KEY (shop_id, day)
);

-- The abuse panel: subjects whose allowance of failed lookups ran out. Emails
-- masked (a•••@example.com), clients without their last part; rows idle for a
-- day are deleted.
CREATE TABLE refusals (
    shop_id  INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('order', 'email', 'client')),
    subject  TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_at  TEXT NOT NULL,
    PRIMARY KEY (shop_id, kind, subject)
);

-- The last Shopify deliveries of each shop with a valid signature (at most 100 kept).
CREATE TABLE webhook_log (
    id          INTEGER PRIMARY KEY,
    shop_id     INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    topic       TEXT NOT NULL,
    outcome     TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX webhook_log_shop ON webhook_log(shop_id, id);

ALTER TABLE api_keys ADD COLUMN last_used_at TEXT;
