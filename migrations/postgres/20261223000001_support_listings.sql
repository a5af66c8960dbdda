-- The support view's audit log also lists the orders an account was shown
-- among an email address's orders ('listed'), beside those it opened
-- ('opened', every entry before).
ALTER TABLE support_views ADD COLUMN kind TEXT NOT NULL DEFAULT 'opened';
