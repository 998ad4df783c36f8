-- Up Migration
-- The start of a push in one round trip (it took five): lock the client's row and read its
-- lastMutationId; when the batch holds anything new, lock the spaces the user may write to (the
-- user's own and the personal spaces of co-members, for their conflicts) in id order, so two
-- writers never deadlock, and read what the batch will need: the user's member spaces, the personal
-- space of every member of them, and the entities the mutations name. The steps run in this order
-- (the client's lock first, as before); each statement of a volatile function reads a fresh
-- snapshot, so the entities are read after the space locks are held, and nothing committed before
-- the locks is missed. PL/pgSQL keeps the statements' plans for the connection's life.
CREATE FUNCTION duet_push_begin(p_user text, p_client text, p_highest_id bigint, p_kinds text[], p_ids text[])
RETURNS TABLE (
  last_mutation_id bigint,
  member_spaces text[],
  locked_ids text[],
  locked_heads bigint[],
  owner_ids text[],
  owner_spaces text[],
  entities jsonb
)
LANGUAGE plpgsql VOLATILE AS $$
#variable_conflict use_column
DECLARE
  v_lmid bigint;
BEGIN
  INSERT INTO clients AS c (user_id, client_id) VALUES (p_user, p_client)
    ON CONFLICT (user_id, client_id) DO UPDATE SET last_mutation_id = c.last_mutation_id
    RETURNING c.last_mutation_id INTO v_lmid;
  last_mutation_id := v_lmid;
  IF p_highest_id <= v_lmid THEN
    RETURN NEXT;
    RETURN;
  END IF;

  SELECT coalesce(array_agg(m.space_id ORDER BY m.space_id), '{}') INTO member_spaces
    FROM space_members m WHERE m.user_id = p_user;

  WITH lockable AS (
    SELECT unnest(member_spaces) AS id
    UNION
    SELECT u.personal_space_id FROM space_members mine
      JOIN space_members other ON other.space_id = mine.space_id AND other.user_id <> mine.user_id
      JOIN users u ON u.id = other.user_id
     WHERE mine.user_id = p_user
  ), locked AS (
    SELECT s.id, s.head_version FROM spaces s WHERE s.id IN (SELECT id FROM lockable) ORDER BY s.id FOR UPDATE OF s
  )
  SELECT coalesce(array_agg(l.id ORDER BY l.id), '{}'), coalesce(array_agg(l.head_version ORDER BY l.id), '{}')
    INTO locked_ids, locked_heads FROM locked l;

  SELECT coalesce(array_agg(u.id), '{}'), coalesce(array_agg(u.personal_space_id), '{}') INTO owner_ids, owner_spaces
    FROM users u WHERE u.id IN (SELECT m.user_id FROM space_members m WHERE m.space_id = ANY (member_spaces));

  SELECT coalesce(jsonb_agg(jsonb_build_object(
           'kind', e.kind, 'id', e.id, 'space_id', e.space_id, 'version', e.version, 'deleted', e.deleted, 'data', e.data)), '[]')
    INTO entities
    FROM unnest(p_kinds, p_ids) AS r(kind, id) JOIN entities e ON e.kind = r.kind AND e.id = r.id;

  RETURN NEXT;
END;
$$;

-- Down Migration
DROP FUNCTION duet_push_begin(text, text, bigint, text[], text[]);
