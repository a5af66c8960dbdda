-- French and Spanish join the languages a console account may choose.
ALTER TABLE users DROP CONSTRAINT users_locale_check;
ALTER TABLE users ADD CONSTRAINT users_locale_check
    CHECK (locale IS NULL OR locale IN ('en', 'de', 'es', 'fr', 'nb', 'sv', 'zh'));
