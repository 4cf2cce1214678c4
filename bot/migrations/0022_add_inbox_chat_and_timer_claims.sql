-- The chat each kept update belongs to, so that with several webhook workers on PostgreSQL
-- (bot/workers) the worker holding a chat takes that chat's updates in their order; and the
-- worker that took it last, so that a worker taking a chat knows whether another one handled
-- it since it did (its cache is then forgotten). NULL for rows kept before this migration and
-- for updates of no chat.
ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
ALTER TABLE inbox ADD COLUMN taken_by TEXT;
CREATE INDEX inbox_chat ON inbox (chat_id, update_id);
-- A timer being fired, with several workers: claimed until this moment by the one firing it,
-- so no other fires it meanwhile, and it fires again after that if its worker died.
ALTER TABLE timers ADD COLUMN claimed_until TEXT;
