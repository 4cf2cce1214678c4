-- The chat each kept update belongs to, so that with several webhook workers on PostgreSQL
-- (bot/workers) the worker holding a chat takes that chat's updates in their order. NULL for
-- rows kept before this migration and for updates of no chat.
ALTER TABLE inbox ADD COLUMN chat_id INTEGER;
CREATE INDEX inbox_chat_pending ON inbox (chat_id, update_id) WHERE done_at IS NULL;
-- A timer being fired, with several workers: claimed until this moment by the one firing it,
-- so no other fires it meanwhile, and it fires again after that if its worker died.
ALTER TABLE timers ADD COLUMN claimed_until TEXT;
