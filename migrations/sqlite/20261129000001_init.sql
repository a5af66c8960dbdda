-- Lookout's schema for SQLite (the same tables as migrations/postgres).
-- Times are RFC 3339 UTC text.

CREATE TABLE shops (
    id              INTEGER PRIMARY KEY,
    slug            TEXT NOT NULL UNIQUE,
    name            TEXT NOT NULL,
    locale          TEXT NOT NULL DEFAULT 'en',
    accent          TEXT,
    allowed_origins TEXT NOT NULL DEFAULT '[]', -- JSON array of origins
    webhook_secret  TEXT NOT NULL,
    created_at      TEXT NOT NULL
);

CREATE TABLE api_keys (
    id          INTEGER PRIMARY KEY,
    shop_id     INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    prefix      TEXT NOT NULL UNIQUE, -- the public part of the key, used to find its hash
    hash        TEXT NOT NULL,        -- Argon2id PHC string of the whole key
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE INDEX api_keys_shop ON api_keys(shop_id);

-- One row per order: the keys it is found by and the whole validated order.
CREATE TABLE orders (
    id         INTEGER PRIMARY KEY,
    shop_id    INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    number_key TEXT NOT NULL, -- normalised order number (trimmed, no '#', lower case)
    email_key  TEXT NOT NULL, -- normalised email (trimmed, lower case)
    updated_at TEXT NOT NULL, -- the order's own clock, as in the document
    doc        TEXT NOT NULL, -- the order as JSON (docs/api.md, "The order body")
    UNIQUE (shop_id, number_key)
);

-- Shopify webhook deliveries already applied, by X-Shopify-Webhook-Id, written
-- in the same transaction as the change they made, so a redelivery changes
-- nothing. Rows older than a week can be deleted: Shopify retries a delivery for
-- at most 48 hours.
CREATE TABLE webhook_deliveries (
    shop_id     INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    webhook_id  TEXT NOT NULL,
    received_at TEXT NOT NULL,
    PRIMARY KEY (shop_id, webhook_id)
);

-- Shopify's numeric order id for each order that came through its webhooks:
-- refund payloads name the order only by this id.
CREATE TABLE shopify_orders (
    shop_id          INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    shopify_order_id TEXT NOT NULL,
    number_key       TEXT NOT NULL,
    PRIMARY KEY (shop_id, shopify_order_id)
);

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
