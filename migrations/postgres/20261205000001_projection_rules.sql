-- Which rules of the projection (`RULES` in app/src/projection.rs) made the
-- stored shopper views. A server with newer rules makes every view again from
-- its order's document when it migrates, then records its own number here.
-- Views stored until now were made by rules 1; rules 2 say less of a cancelled
-- order's reason and give no reason for a state the order is not in.
CREATE TABLE projection (
    id    INTEGER PRIMARY KEY CHECK (id = 1),
    rules INTEGER NOT NULL
);
INSERT INTO projection (id, rules) VALUES (1, 1);
