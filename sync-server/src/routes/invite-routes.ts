/** Partners: an invite code links two users in one shared space. */
import {
  AcceptInviteRequestSchema,
  ErrorCode,
  formatInviteCode,
  INVITE_CODE_ALPHABET,
  INVITE_CODE_LENGTH,
  InviteByEmailRequestSchema,
} from '@duet/shared';
import { Router } from 'express';
import { customAlphabet } from 'nanoid';
import type pg from 'pg';
import type { EmailLimiter } from '../auth/email-limiter.ts';
import type { InviteLimiter } from '../auth/invite-limiter.ts';
import type { EmailOutbox } from '../email/email-outbox.ts';
import { inTransaction } from '../db/pool.ts';
import { ApiError } from '../http/api-error.ts';
import { identityOf, type authenticate } from '../http/authenticate.ts';
import { parseBody } from '../http/validate.ts';
import { clientAddressKey } from '../limits/client-address.ts';
import { InvitesRepo } from '../store/invites-repo.ts';
import type { Notifier } from '../notifications/notifier.ts';
import type { SpaceWriter } from '../store/space-writer.ts';

// 12 symbols of 32 from a cryptographic source: 60 bits (see shared/invite-codes.ts).
const newInviteCode = customAlphabet(INVITE_CODE_ALPHABET, INVITE_CODE_LENGTH);

const inviteNotFound = () => new ApiError(404, ErrorCode.inviteNotFound, 'this invite code is unknown');
const inviteUsed = () => new ApiError(410, ErrorCode.inviteUsed, 'this invite code has already been used by someone else');
const inviteExpired = () => new ApiError(410, ErrorCode.inviteExpired, 'this invite code has expired');
const alreadyMember = () => new ApiError(409, ErrorCode.alreadyMember, 'you are already in this space');
const ownInvite = () =>
  new ApiError(409, ErrorCode.alreadyMember, 'this is your own invite code: give it to your partner', { reason: 'own_invite' });
const alreadyLinked = (who: 'you' | 'inviter') =>
  new ApiError(
    409,
    ErrorCode.alreadyLinked,
    who === 'you' ? 'you already have a partner' : 'the person who made this code already has a partner',
    {
      who,
    },
  );
const noPartner = () => new ApiError(404, ErrorCode.notFound, 'you have no partner to unlink');

export interface InviteRouteDeps {
  pool: pg.Pool;
  /** Accepting writes the shared space (see SpaceWriter), which raises the cache and pokes both partners. */
  writer: SpaceWriter;
  ttlDays: number;
  limiter: InviteLimiter;
  auth: ReturnType<typeof authenticate>;
  /** The server's clock (ms). */
  now: () => number;
  /** New ids (see shared ids.ts). */
  newId: () => string;
  /** Tells the inviter their invitation was accepted (in their notification list). */
  notifier?: Notifier;
  /** Invitations by email are queued here, and limited per recipient. */
  outbox: EmailOutbox;
  emailLimiter: EmailLimiter;
}

export function inviteRoutes({
  pool,
  writer,
  ttlDays,
  limiter,
  auth,
  now,
  newId,
  notifier,
  outbox,
  emailLimiter,
}: InviteRouteDeps): Router {
  const router = Router();
  const invites = new InvitesRepo(pool);

  router.post('/invites', auth, async (req, res) => {
    const { user } = identityOf(req);
    await limiter.takeCreate(user.id);
    const expiresAt = new Date(now() + ttlDays * 86_400_000);
    const code = newInviteCode();
    await invites.create(code, user.id, expiresAt);
    res.status(201).json({ code: formatInviteCode(code), expiresAt: expiresAt.toISOString() });
  });

  // A new code, sent by email (in the background) with a link that opens the accept screen with it.
  router.post('/invites/email', auth, async (req, res) => {
    const { user } = identityOf(req);
    const { email } = parseBody(InviteByEmailRequestSchema, req.body);
    if (email === user.email) throw new ApiError(400, ErrorCode.invalidBody, 'this is your own email address; invite your partner’s');
    await limiter.takeCreate(user.id);
    await emailLimiter.takeInviteEmail(email);
    const expiresAt = new Date(now() + ttlDays * 86_400_000);
    const code = newInviteCode();
    const formatted = formatInviteCode(code);
    await inTransaction(pool, async (client) => {
      await new InvitesRepo(client).create(code, user.id, expiresAt);
      await outbox.enqueue(
        {
          kind: 'invite',
          to: email,
          inviterName: user.displayName,
          inviterLocale: user.locale,
          code: formatted,
          expiresAt: expiresAt.toISOString(),
        },
        client,
      );
    });
    res.status(201).json({ code: formatted, expiresAt: expiresAt.toISOString() });
  });

  router.post('/invites/accept', auth, async (req, res) => {
    const { user } = identityOf(req);
    const { code } = parseBody(AcceptInviteRequestSchema, req.body);
    const taken = await limiter.takeAccept(user.id, clientAddressKey(req));
    const space = await writer.write(async (write) => {
      const invitesInTx = new InvitesRepo(write.client);
      const row = await invitesInTx.lock(code);
      if (!row) throw inviteNotFound();
      if (row.inviterId === user.id) throw ownInvite();
      if (row.acceptedBy === user.id) throw alreadyMember();
      if (row.acceptedBy !== null) throw inviteUsed();
      if (row.expired) throw inviteExpired();

      // One shared space per pair of partners: a third person never sees the pair's history.
      if (await write.spaces.shareASpace(row.inviterId, user.id)) throw alreadyMember();
      // And one per person: someone with a partner unlinks before linking with someone else.
      if (await write.spaces.sharedSpaceOf(user.id)) throw alreadyLinked('you');
      if (await write.spaces.sharedSpaceOf(row.inviterId)) throw alreadyLinked('inviter');
      const spaceId = newId();
      await write.createSpace(spaceId, 'shared');
      await write.spaces.addMember(spaceId, row.inviterId);
      await write.spaces.addMember(spaceId, user.id);
      await invitesInTx.markAccepted(code, user.id);
      const current = await write.spaces.get(spaceId);
      if (!current) throw new Error('space vanished inside its transaction');
      await write.put([{ kind: 'space', id: spaceId, spaceId, deleted: false, data: current }]);
      write.setMemberships(await write.spaces.memberships(current.members.map((m) => m.userId)));
      return current;
    });
    await limiter.acceptSucceeded(taken);
    for (const inviter of space.members.filter((m) => m.userId !== user.id))
      await notifier?.invitationAccepted(inviter.userId, user.id, space.id);
    res.status(200).json({ space: { id: space.id, kind: space.kind, members: space.members } });
  });

  /**
   * Unlinks the couple: both leave their shared space, whose next pull on each of their devices
   * says it is gone (the devices drop it and all in it). The space and its history stay on the
   * server, readable by nobody.
   */
  router.delete('/partner', auth, async (req, res) => {
    const { user } = identityOf(req);
    await writer.write(async (write) => {
      const spaceId = await write.spaces.sharedSpaceOf(user.id);
      if (!spaceId) throw noPartner();
      await write.lock([spaceId]);
      const members = await write.spaces.removeAllMembers(spaceId);
      write.setMemberships(await withEmptyLists(write.spaces.memberships(members), members));
    });
    res.status(204).end();
  });

  return router;
}

/** Memberships of these users, an empty list for one left with none (so their cached list is replaced too). */
async function withEmptyLists(lists: Promise<Map<string, string[]>>, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const found = await lists;
  for (const id of userIds) if (!found.has(id)) found.set(id, []);
  return found;
}
