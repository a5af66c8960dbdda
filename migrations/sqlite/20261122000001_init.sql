-- Lookout's schema for SQLite. Times are RFC 3339 UTC text; money is decimal text.

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

CREATE TABLE orders (
    id                 INTEGER PRIMARY KEY,
    shop_id            INTEGER NOT NULL REFERENCES shops(id) ON DELETE CASCADE,
    number_key         TEXT NOT NULL, -- normalised order number (trimmed, no '#', lower case)
    order_number       TEXT NOT NULL, -- as the shop displays it
    email_key          TEXT NOT NULL, -- normalised email
    email              TEXT NOT NULL,
    placed_at          TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    status             TEXT NOT NULL,
    cancel_reason      TEXT,
    payment_status     TEXT NOT NULL,
    fulfillment_status TEXT NOT NULL,
    hold_reason        TEXT,
    scheduled_at       TEXT,
    return_status      TEXT NOT NULL,
    currency           TEXT NOT NULL,
    subtotal           TEXT NOT NULL,
    shipping           TEXT NOT NULL,
    tax                TEXT NOT NULL,
    discounts          TEXT NOT NULL,
    total              TEXT NOT NULL,
    shipping_address   TEXT,          -- JSON object, internal
    tags               TEXT NOT NULL DEFAULT '[]', -- JSON array, internal
    note               TEXT,          -- internal
    UNIQUE (shop_id, number_key)
);

CREATE TABLE line_items (
    id         INTEGER PRIMARY KEY,
    order_id   INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    ext_id     TEXT NOT NULL,
    title      TEXT NOT NULL,
    variant    TEXT,
    quantity   INTEGER NOT NULL,
    price      TEXT NOT NULL,
    image_url  TEXT,
    sku        TEXT,
    UNIQUE (order_id, ext_id)
);

CREATE TABLE shipments (
    id                 INTEGER PRIMARY KEY,
    order_id           INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position           INTEGER NOT NULL,
    ext_id             TEXT NOT NULL,
    status             TEXT NOT NULL,
    carrier            TEXT,
    tracking_number    TEXT,
    tracking_url       TEXT,
    estimated_delivery TEXT,
    shipped_at         TEXT,
    delivered_at       TEXT,
    line_items         TEXT NOT NULL DEFAULT '[]', -- JSON array of {id, quantity}
    UNIQUE (order_id, ext_id)
);
CREATE INDEX shipments_order ON shipments(order_id);

CREATE TABLE tracking_events (
    id          INTEGER PRIMARY KEY,
    shipment_id INTEGER NOT NULL REFERENCES shipments(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    at          TEXT NOT NULL,
    status      TEXT NOT NULL,
    message     TEXT,
    location    TEXT
);
CREATE INDEX tracking_events_shipment ON tracking_events(shipment_id);

CREATE TABLE returns (
    id            INTEGER PRIMARY KEY,
    order_id      INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    ext_id        TEXT NOT NULL,
    status        TEXT NOT NULL,
    requested_at  TEXT NOT NULL,
    reason        TEXT,               -- internal
    line_items    TEXT NOT NULL DEFAULT '[]', -- JSON array of {id, quantity}
    refund_status TEXT,
    refund_amount TEXT,
    UNIQUE (order_id, ext_id)
);
CREATE INDEX returns_order ON returns(order_id);

CREATE TABLE timeline_events (
    id          INTEGER PRIMARY KEY,
    order_id    INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL,
    message     TEXT NOT NULL,
    visibility  TEXT NOT NULL CHECK (visibility IN ('customer', 'internal'))
);
CREATE INDEX timeline_events_order ON timeline_events(order_id);
