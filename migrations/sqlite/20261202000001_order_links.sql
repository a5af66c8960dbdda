-- Shoppers without their order number: "email me my orders". A request is
-- queued in the outbox; the mailer finds the address's orders, makes a link
-- (only the SHA-256 of its token is stored) and sends it. Times are RFC 3339 UTC text.

-- Merchants may turn the feature off (1 on, 0 off).
ALTER TABLE shops ADD COLUMN email_links INTEGER NOT NULL DEFAULT 1;

-- The orders of one address at one shop, for the list behind a link.
CREATE INDEX orders_by_email ON orders (shop_id, email_key);

CREATE TABLE order_links (
    token_hash  TEXT PRIMARY KEY,
    shop_id     INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    email_key   TEXT NOT NULL,   -- normalised email, as orders.email_key
    expires_at  TEXT NOT NULL,
    device_hash TEXT,            -- SHA-256 of the cookie of the browser that opened it first
    revoked_at  TEXT
);
CREATE INDEX order_links_expires ON order_links (expires_at);
CREATE INDEX order_links_device ON order_links (device_hash) WHERE device_hash IS NOT NULL;

-- Mail to send. A row is claimed (claimed_until) by one sender at a time,
-- retried with backoff (next_at) and finished once (done_at, outcome); the
-- address is blanked when it is finished.
CREATE TABLE outbox (
    id            INTEGER PRIMARY KEY,
    shop_id       INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    email         TEXT NOT NULL,
    locale        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    attempts      BIGINT NOT NULL DEFAULT 0,
    next_at       TEXT NOT NULL,
    claimed_until TEXT,
    done_at       TEXT,
    outcome       TEXT CHECK (outcome IN ('sent', 'no_orders', 'turned_off', 'failed')),
    last_error    TEXT
);
CREATE INDEX outbox_due ON outbox (next_at) WHERE done_at IS NULL;
CREATE INDEX outbox_done ON outbox (done_at) WHERE done_at IS NOT NULL;

-- The abuse panel also lists link requests refused by their limits.
CREATE TABLE refusals_new (
    shop_id  INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    kind     TEXT NOT NULL CHECK (kind IN ('order', 'email', 'client', 'link_email', 'link_client', 'link_shop')),
    subject  TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    last_at  TEXT NOT NULL,
    PRIMARY KEY (shop_id, kind, subject)
);
INSERT INTO refusals_new SELECT shop_id, kind, subject, attempts, last_at FROM refusals;
DROP TABLE refusals;
ALTER TABLE refusals_new RENAME TO refusals;
