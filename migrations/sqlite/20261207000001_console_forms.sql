-- A console form that makes a secret (an API key, a webhook signing secret)
-- carries a one-time token: sent again (a reload, a second click), it makes
-- nothing new (`Store::insert_key`, `Store::rotate_webhook_secret`).
ALTER TABLE api_keys ADD COLUMN form_token TEXT;
CREATE UNIQUE INDEX api_keys_form_token ON api_keys(form_token);
ALTER TABLE shops ADD COLUMN secret_form_token TEXT;

-- The support view's audit log is kept for a year (`Store::prune_support_views`,
-- hourly): this finds its entries by age.
CREATE INDEX support_views_viewed ON support_views(viewed_at);
