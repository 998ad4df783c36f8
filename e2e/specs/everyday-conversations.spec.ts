/**
 * The conversation list with activity, links, replies and deleted messages, as a couple uses them:
 * a partner's message moves its conversation to the top of the list with a preview and an unread
 * count, live; reading it on one phone clears the count on the person's other device; links open
 * safely in a new tab and `javascript:` stays text; a reply quotes its original and survives its
 * deletion, which leaves a placeholder.
 */
import { describe, expect, test } from 'vitest';
import { specSession } from '../support/spec-session.ts';
import { openProfile, screenshot } from '../support/browser.ts';
import { linkPartners, logIn } from '../support/duet-flows.ts';
import { DuetApp, uiText } from '../support/pages/index.ts';
import { ConversationActivity, MessageActions } from '../support/pages/everyday.ts';

describe('everyday conversations', () => {
  const session = specSession();

  test('activity in the list, read marks across devices, links, replies and deleted messages', async () => {
    const { alex, sam, alexUser, samUser } = await session.signUpPair();
    await linkPartners(alex, alexUser, sam, samUser, session.url);

    await alex.conversations.open();
    await alex.conversations.create('Weekend plans', 'shared');
    await sam.conversations.open();
    await sam.conversations.link('Weekend plans').waitFor({ timeout: 10_000 });
    // Sam's own newer conversation is on top while nothing happens elsewhere.
    await sam.conversations.create('Reading list', 'personal');
    const samList = new ConversationActivity(sam.page);
    expect(await samList.titles()).toEqual(['Reading list', 'Weekend plans']);

    // Sam's laptop: the same person on a second device.
    const laptopProfile = await openProfile();
    session.profiles.push(laptopProfile);
    const laptop = new DuetApp(laptopProfile.page);
    await logIn(laptop, session.url, samUser);
    const laptopList = new ConversationActivity(laptop.page);

    // Alex writes; Sam's list shows it without a reload: on top, with a preview and a count.
    await alex.conversations.openConversation('Weekend plans');
    const hostile = 'Trip: https://example.com/trip?day=sat, or javascript:alert(1) and mailto:alex@example.com.';
    await alex.conversation.send(hostile);
    await alex.status.waitForAllSent();
    await samList.unread('Weekend plans', 1).waitFor({ timeout: 10_000 });
    expect(await samList.titles()).toEqual(['Weekend plans', 'Reading list']);
    expect(await samList.previewText('Weekend plans')).toMatch(new RegExp(`^${alexUser.displayName}: Trip: https://example\\.com/trip`));
    await screenshot(sam.page, 'everyday-list-unread');
    await laptop.page.reload();
    await laptopList.unread('Weekend plans', 1).waitFor({ timeout: 10_000 });

    // Sam reads it on the phone: links are safe, javascript: is not a link.
    await sam.conversations.openConversation('Weekend plans');
    const actions = new MessageActions(sam.page);
    const link = actions.link(hostile, 'https://example.com/trip?day=sat');
    expect(await link.getAttribute('href')).toBe('https://example.com/trip?day=sat');
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await actions.link(hostile, 'mailto:alex@example.com').getAttribute('href')).toBe('mailto:alex@example.com');
    const hrefs = await actions.links(hostile).evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs).toHaveLength(2);
    expect(hrefs.some((href) => /javascript/i.test(href))).toBe(false);

    // Sam replies, quoting Alex's message.
    await actions.reply(hostile, 'Count me in');
    // The new reply's quote names the author once the person's names are read (a moment after it shows).
    await expect.poll(() => actions.quote('Count me in').innerText(), { timeout: 10_000 }).toContain(alexUser.displayName);
    expect(await actions.quote('Count me in').innerText()).toContain('Trip: https://example.com/trip');
    await screenshot(sam.page, 'everyday-reply');
    await sam.status.waitForAllSent();

    // Read on the phone: the laptop's count goes too (the read mark is synced), and so does the phone's.
    await laptop.page.reload();
    await laptopList.anyUnread('Weekend plans').waitFor({ state: 'detached', timeout: 10_000 });
    await sam.conversation.backLink.click();
    await sam.conversations.heading.waitFor();
    expect(await samList.anyUnread('Weekend plans').count()).toBe(0);
    expect(await samList.previewText('Weekend plans')).toBe(
      uiText('en', 'everyday.list.preview', { author: uiText('en', 'people.you'), text: 'Count me in' }),
    );

    // Alex deletes the original: a placeholder stays where it was, and the reply says it is gone.
    await alex.conversation.message('Count me in').waitFor({ timeout: 10_000 });
    const alexActions = new MessageActions(alex.page);
    await alexActions.delete(hostile);
    await alexActions.deletedPlaceholders.first().waitFor();
    expect(await alexActions.quote('Count me in').innerText()).toBe(uiText('en', 'everyday.reply.originalDeleted'));
    await screenshot(alex.page, 'everyday-deleted');
    await sam.conversations.openConversation('Weekend plans');
    await actions.deletedPlaceholders.first().waitFor({ timeout: 10_000 });
    expect(await actions.quote('Count me in').innerText()).toBe(uiText('en', 'everyday.reply.originalDeleted'));
  });
});
