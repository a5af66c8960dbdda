-- Chinese in Traditional characters (`zh-Hant`) joins the languages a console
-- account may choose. SQLite cannot change a column's CHECK, so the column is
-- made again with the wider one and the choices copied across.
ALTER TABLE users ADD COLUMN chosen_locale TEXT
    CHECK (chosen_locale IS NULL OR chosen_locale IN ('en', 'da', 'de', 'es', 'fr', 'it', 'ja', 'nb', 'nl', 'pl', 'pt', 'sv', 'zh', 'zh-Hant'));
UPDATE users SET chosen_locale = locale;
ALTER TABLE users DROP COLUMN locale;
ALTER TABLE users RENAME COLUMN chosen_locale TO locale;
