-- Chinese in Traditional characters (`zh-Hant`) joins the languages a console
-- account may choose.
ALTER TABLE users DROP CONSTRAINT users_locale_check;
ALTER TABLE users ADD CONSTRAINT users_locale_check
    CHECK (locale IS NULL OR locale IN ('en', 'da', 'de', 'es', 'fr', 'it', 'ja', 'nb', 'nl', 'pl', 'pt', 'sv', 'zh', 'zh-Hant'));
