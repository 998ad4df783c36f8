/**
 * Partner events as notifications: each one an entity of kind `notification` in the recipient's
 * personal space, written like any server write (SpaceWriter: versions, cache raise, poke), so it
 * reaches every device of theirs through pull and its read state syncs with `notification.read`.
 *
 * Each event has a stable key; the notification's id is derived from it and an existing one is
 * never written again, so an event seen twice (two instances, two devices, a job run again) makes
 * one notification and a read one never comes back unread.
 */
import { createHash } from 'node:crypto';
import type { Notification, NotificationType } from '@duet/shared';
import type pg from 'pg';
import type { Logger } from 'pino';
import type { SpaceWriter } from '../store/space-writer.ts';
import { SpacesRepo } from '../store/spaces-repo.ts';
import { UsersRepo } from '../store/users-repo.ts';

/** One partner's start of a recording makes at most one notification per recipient in this window. */
export const RECORDING_NOTICE_WINDOW_MS = 10 * 60_000;

export interface NotificationRequest {
  recipientId: string;
  type: NotificationType;
  actorId: string | null;
  transcriptId: string | null;
  /** Names the event: requests with one key make one notification per recipient. */
  key: string;
}

/** A stable id for (event, recipient): an IdSchema-valid 26-character string. */
export function notificationId(key: string, recipientId: string): string {
  return `n${createHash('sha256').update(`${key}\u0000${recipientId}`).digest('base64url').slice(0, 25)}`;
}

export class Notifier {
  constructor(private readonly deps: { pool: pg.Pool; writer: SpaceWriter; now: () => number; logger: Logger }) {}

  /** Writes the notifications not written before; returns how many are new. */
  async notify(requests: readonly NotificationRequest[]): Promise<number> {
    if (requests.length === 0) return 0;
    const users = new UsersRepo(this.deps.pool);
    const ids = [...new Set(requests.flatMap((r) => (r.actorId ? [r.recipientId, r.actorId] : [r.recipientId])))];
    const rows = new Map((await Promise.all(ids.map((id) => users.findById(id)))).flatMap((u) => (u ? [[u.id, u] as const] : [])));
    const at = this.deps.now();
    return this.deps.writer.write(async (write) => {
      const targets = requests.flatMap((r) => {
        const recipient = rows.get(r.recipientId);
        return recipient ? [{ request: r, spaceId: recipient.personalSpaceId }] : [];
      });
      await write.lock([...new Set(targets.map((t) => t.spaceId))]);
      let written = 0;
      for (const { request, spaceId } of targets) {
        const id = notificationId(request.key, request.recipientId);
        if (await write.entities.get('notification', id)) continue;
        const data: Notification = {
          id,
          spaceId,
          type: request.type,
          actorId: request.actorId,
          actorName: request.actorId ? (rows.get(request.actorId)?.displayName ?? null) : null,
          transcriptId: request.transcriptId,
          at,
          readAt: null,
        };
        await write.put([{ kind: 'notification', id, spaceId, deleted: false, data }]);
        written += 1;
      }
      return written;
    });
  }

  /** Like notify, for callers that must not fail for it (after their own write committed): failures are logged. */
  notifyLater(requests: readonly NotificationRequest[]): void {
    this.notify(requests).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'notifications not written'));
  }

  /** Every member of the transcript's space: its analysis finished. */
  async analysisDone(transcript: { id: string; spaceId: string; submissions: number; createdBy: string }): Promise<number> {
    const space = await new SpacesRepo(this.deps.pool).get(transcript.spaceId);
    const members = space?.members.map((m) => m.userId) ?? [];
    return this.notify(
      members.map((recipientId) => ({
        recipientId,
        type: 'analysis_done' as const,
        actorId: recipientId === transcript.createdBy ? null : transcript.createdBy,
        transcriptId: transcript.id,
        key: `analysis:${transcript.id}:${transcript.submissions}`,
      })),
    );
  }

  /** The partners of someone who just started recording, at most once per RECORDING_NOTICE_WINDOW_MS. */
  partnerStartedRecording(actorId: string, partnerIds: readonly string[]): void {
    const window = Math.floor(this.deps.now() / RECORDING_NOTICE_WINDOW_MS);
    this.notifyLater(
      partnerIds.map((recipientId) => ({
        recipientId,
        type: 'partner_recording' as const,
        actorId,
        transcriptId: null,
        key: `recording:${actorId}:${window}`,
      })),
    );
  }

  /** The inviter: their invitation was accepted by `acceptedBy`. */
  /**
   * Awaited by the accept before it answers (its own write, after the accept's commit), so it never
   * runs beside the caller's next request; it never fails (a failure is logged).
   */
  async invitationAccepted(inviterId: string, acceptedBy: string, spaceId: string): Promise<void> {
    await this.notify([
      { recipientId: inviterId, type: 'invite_accepted', actorId: acceptedBy, transcriptId: null, key: `invite:${spaceId}:${acceptedBy}` },
    ]).catch((error: unknown) => this.deps.logger.warn({ err: error }, 'notifications not written'));
  }
}
