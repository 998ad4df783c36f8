// Plans, usage limits and Stripe billing on the real Postgres, with a local server in Stripe's
// place that records the requests: the checkout session and the portal link, the webhook
// (signatures made with the stripe package's own test helper; idempotent per event id; active,
// past due, canceled), the month's limits on transcript.submit and on uploads, and the refusals
// of bad input, each of which changes nothing.
import { newId } from '@duet/shared';
import Stripe from 'stripe';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../src/config.ts';
import { startTestServer, type TestServer } from './harness.ts';
import { account, clientOf, type Account } from './support/accounts.ts';
import { bearer, describeResponse, expectError } from './support/api.ts';
import { startFakeStripe, type FakeStripe } from './support/fake-stripe.ts';
import { encodeMetadata, tusRequest } from './support/tus-http.ts';
import { createTranscript, pushApplied, queryDatabase } from './support/transcript-watch.ts';

const WEBHOOK_SECRET = 'whsec_test_0123456789abcdef';
const stripeHelper = new Stripe('sk_test_helper');
const defaults = loadConfig({});

const plans: Config['plans'] = {
  free: { analysesPerMonth: 2, audioMinutesPerMonth: 3 },
  premium: { analysesPerMonth: 50, audioMinutesPerMonth: 100 },
};

function signed(payload: object, secret = WEBHOOK_SECRET): { body: string; signature: string } {
  const body = JSON.stringify(payload);
  return { body, signature: stripeHelper.webhooks.generateTestHeaderString({ payload: body, secret }) };
}

let eventCounter = 0;
function event(
  type: string,
  object: Record<string, unknown>,
  created = Math.floor(Date.now() / 1000) + eventCounter,
): Record<string, unknown> {
  return { id: `evt_${++eventCounter}_${newId()}`, object: 'event', type, created, data: { object } };
}

const billingOf = async (server: TestServer, who: Account) => {
  const res = await request(server.url).get('/api/billing').set('Authorization', bearer(who.token));
  expect(res.status, describeResponse(res)).toBe(200);
  return res.body as {
    plan: string;
    status: string;
    billingConfigured: boolean;
    usage: { analyses: { used: number; limit: number }; audioMinutes: { used: number; limit: number } };
  };
};

const sendWebhook = (server: TestServer, body: string, signature?: string) => {
  const req = request(server.url).post('/api/billing/webhook').set('Content-Type', 'application/json');
  if (signature !== undefined) req.set('Stripe-Signature', signature);
  return req.send(body);
};

const countEvents = async (server: TestServer) =>
  Number((await queryDatabase<{ n: string }>(server.databaseUrl, 'SELECT count(*) AS n FROM stripe_events'))[0]?.n);

describe('billing with Stripe configured', () => {
  let stripe: FakeStripe;
  let server: TestServer;

  beforeAll(async () => {
    stripe = await startFakeStripe();
    server = await startTestServer({
      plans,
      stripe: {
        secretKey: 'sk_test_duet_123456',
        webhookSecret: WEBHOOK_SECRET,
        pricePremium: 'price_premium_monthly',
        apiBase: stripe.url,
      },
    });
  });
  afterAll(async () => {
    await server?.close();
    await stripe?.close();
  });

  it('starts everyone on the free plan with this month’s usage at zero', async () => {
    const ana = await account(server, 'Ana');
    const billing = await billingOf(server, ana);
    expect(billing).toMatchObject({
      plan: 'free',
      status: 'none',
      billingConfigured: true,
      period: new Date().toISOString().slice(0, 7),
      usage: { analyses: { used: 0, limit: 2 }, audioMinutes: { used: 0, limit: 3 } },
    });
  });

  it('creates a checkout session for the Premium price naming the person', async () => {
    const ana = await account(server, 'Ana');
    const before = stripe.requests.length;
    const res = await request(server.url).post('/api/billing/checkout').set('Authorization', bearer(ana.token));
    expect(res.status, describeResponse(res)).toBe(200);
    expect(res.body.url).toMatch(/^https:\/\/checkout\.stripe\.test\/c\/cs_test_/);
    const [sent] = stripe.requests.slice(before);
    expect(sent?.method).toBe('POST');
    expect(sent?.path).toBe('/v1/checkout/sessions');
    expect(sent?.authorization).toBe('Bearer sk_test_duet_123456');
    expect(sent?.form.get('mode')).toBe('subscription');
    expect(sent?.form.get('line_items[0][price]')).toBe('price_premium_monthly');
    expect(sent?.form.get('client_reference_id')).toBe(ana.userId);
    expect(sent?.form.get('customer_email')).toBe(ana.email);
    expect(sent?.form.get('success_url')).toBe(`${server.url}/settings?billing=done`);
  });

  it('moves the subscription through active, past due and canceled from signed webhooks, once per event', async () => {
    const ben = await account(server, 'Ben');
    expectError(await request(server.url).post('/api/billing/portal').set('Authorization', bearer(ben.token)), 409, 'no_subscription');

    const completed = signed(
      event('checkout.session.completed', {
        object: 'checkout.session',
        client_reference_id: ben.userId,
        customer: 'cus_ben',
        subscription: 'sub_ben',
      }),
    );
    const first = await sendWebhook(server, completed.body, completed.signature);
    expect(first.status, describeResponse(first)).toBe(200);
    expect(first.body).toEqual({ received: true, outcome: 'applied' });
    expect(await billingOf(server, ben)).toMatchObject({ plan: 'premium', status: 'active', usage: { analyses: { limit: 50 } } });

    const pastDue = event('customer.subscription.updated', {
      object: 'subscription',
      id: 'sub_ben',
      customer: 'cus_ben',
      status: 'past_due',
    });
    const late = signed(pastDue);
    expect((await sendWebhook(server, late.body, late.signature)).body.outcome).toBe('applied');
    expect(await billingOf(server, ben)).toMatchObject({ plan: 'premium', status: 'past_due' });

    // The same event again (Stripe redelivers): changes nothing, even after a newer state.
    const canceled = signed(
      event('customer.subscription.deleted', { object: 'subscription', id: 'sub_ben', customer: 'cus_ben', status: 'canceled' }),
    );
    expect((await sendWebhook(server, canceled.body, canceled.signature)).body.outcome).toBe('applied');
    expect(await billingOf(server, ben)).toMatchObject({ plan: 'free', status: 'canceled', usage: { analyses: { limit: 2 } } });
    const again = await sendWebhook(server, late.body, late.signature);
    expect(again.body).toEqual({ received: true, outcome: 'duplicate' });
    expect(await billingOf(server, ben)).toMatchObject({ status: 'canceled' });

    // An older event arriving after a newer one does not turn the clock back.
    const stale = signed(
      event('customer.subscription.updated', { object: 'subscription', id: 'sub_ben', customer: 'cus_ben', status: 'active' }, 1_000_000),
    );
    expect((await sendWebhook(server, stale.body, stale.signature)).status).toBe(200);
    expect(await billingOf(server, ben)).toMatchObject({ plan: 'free', status: 'canceled' });

    // The portal of the customer the checkout created.
    const before = stripe.requests.length;
    const portal = await request(server.url).post('/api/billing/portal').set('Authorization', bearer(ben.token));
    expect(portal.status, describeResponse(portal)).toBe(200);
    expect(portal.body.url).toMatch(/^https:\/\/billing\.stripe\.test\/p\//);
    expect(stripe.requests[before]?.path).toBe('/v1/billing_portal/sessions');
    expect(stripe.requests[before]?.form.get('customer')).toBe('cus_ben');
    expect(stripe.requests[before]?.form.get('return_url')).toBe(`${server.url}/settings`);
  });

  it('refuses a forged, missing or stale signature, a malformed body and a malformed event, changing nothing', async () => {
    const cleo = await account(server, 'Cleo');
    const before = await countEvents(server);
    const payload = event('checkout.session.completed', {
      client_reference_id: cleo.userId,
      customer: 'cus_cleo',
      subscription: 'sub_cleo',
    });

    const forged = signed(payload, 'whsec_someone_else_entirely');
    expectError(await sendWebhook(server, forged.body, forged.signature), 400, 'invalid_signature');
    expectError(await sendWebhook(server, JSON.stringify(payload)), 400, 'invalid_signature');
    const genuine = signed(payload);
    expectError(await sendWebhook(server, genuine.body.replace(cleo.userId, 'someone-else'), genuine.signature), 400, 'invalid_signature');
    const old = stripeHelper.webhooks.generateTestHeaderString({
      payload: genuine.body,
      secret: WEBHOOK_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 3600,
    });
    expectError(await sendWebhook(server, genuine.body, old), 400, 'invalid_signature');

    const notJson = 'this is { not json';
    expectError(
      await sendWebhook(server, notJson, stripeHelper.webhooks.generateTestHeaderString({ payload: notJson, secret: WEBHOOK_SECRET })),
      400,
      'invalid_body',
    );
    const shapeless = signed({
      id: 'evt_shapeless',
      type: 'checkout.session.completed',
      created: 1,
      data: { object: { client_reference_id: 42 } },
    });
    expectError(await sendWebhook(server, shapeless.body, shapeless.signature), 400, 'invalid_body');

    expect(await countEvents(server)).toBe(before);
    expect(await billingOf(server, cleo)).toMatchObject({ plan: 'free', status: 'none' });

    // An event about nobody we know is taken (Stripe stops sending it) and changes nothing.
    const stranger = signed(event('checkout.session.completed', { client_reference_id: 'no-such-user', customer: 'cus_x' }));
    expect((await sendWebhook(server, stranger.body, stranger.signature)).body.outcome).toBe('ignored');
  });

  it('rejects a submit past the month’s analyses with plan_limit_reached, and lets the batch go on; Premium lifts it', async () => {
    const dana = await account(server, 'Dana');
    const client = clientOf(server, dana, 'dana');
    const ids = [newId(), newId(), newId()];
    for (const id of ids) createTranscript(client, { id, spaceId: dana.personalSpaceId, text: 'Dana: a short talk.', language: 'en' });
    await pushApplied(client);
    const submits = ids.map((id) => client.mutate('transcript.submit', { id }));
    const rename = client.mutate('transcript.create', {
      id: newId(),
      spaceId: dana.personalSpaceId,
      text: 'after the limit',
      language: 'en',
    });
    const answer = await client.push();
    const statusOf = (id: number) => answer.results.find((r) => r.id === id);
    expect(statusOf(submits[0]!.id)?.status).toBe('applied');
    expect(statusOf(submits[1]!.id)?.status).toBe('applied');
    expect(statusOf(submits[2]!.id)).toMatchObject({ status: 'rejected', error: { code: 'plan_limit_reached' } });
    expect(statusOf(submits[2]!.id)?.error?.message).toContain('upgrade to Premium');
    expect(statusOf(rename.id)?.status).toBe('applied');
    expect((await billingOf(server, dana)).usage.analyses).toEqual({ used: 2, limit: 2 });

    const upgraded = signed(
      event('checkout.session.completed', { client_reference_id: dana.userId, customer: 'cus_dana', subscription: 'sub_dana' }),
    );
    expect((await sendWebhook(server, upgraded.body, upgraded.signature)).status).toBe(200);
    client.mutate('transcript.submit', { id: ids[2] });
    await pushApplied(client);
    expect((await billingOf(server, dana)).usage.analyses).toEqual({ used: 3, limit: 50 });
  });

  it('refuses an upload past the month’s audio minutes with 402 plan_limit_reached', async () => {
    const emil = await account(server, 'Emil');
    const client = clientOf(server, emil, 'emil');
    const first = newId();
    const second = newId();
    createTranscript(client, { id: first, spaceId: emil.personalSpaceId, text: 'one', language: 'en', durationMs: 110_000 });
    createTranscript(client, { id: second, spaceId: emil.personalSpaceId, text: 'two', language: 'en', durationMs: 61_000 });
    await pushApplied(client);
    const upload = (transcriptId: string) =>
      tusRequest(server, {
        method: 'POST',
        path: '/api/uploads',
        token: emil.token,
        headers: { 'Upload-Length': '1000', 'Upload-Metadata': encodeMetadata({ transcriptId, filetype: 'audio/webm' }) },
      });
    expect((await upload(first)).status).toBe(201);
    const refused = await upload(second);
    expect(refused.status, refused.body).toBe(402);
    expect(JSON.parse(refused.body)).toMatchObject({
      error: { code: 'plan_limit_reached', details: { metric: 'audio_minutes', plan: 'free', used: 2, limit: 3 } },
    });
    expect((await billingOf(server, emil)).usage.audioMinutes).toEqual({ used: 2, limit: 3 });
  });
});

describe('billing without a Stripe key', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ plans, stripe: { ...defaults.stripe, secretKey: null, webhookSecret: WEBHOOK_SECRET } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('says billing is not configured, keeps everyone free, and refuses the Stripe calls as such', async () => {
    const ana = await account(server, 'Ana');
    expect(await billingOf(server, ana)).toMatchObject({ plan: 'free', status: 'none', billingConfigured: false });
    expectError(
      await request(server.url).post('/api/billing/checkout').set('Authorization', bearer(ana.token)),
      501,
      'billing_not_configured',
    );
    expectError(
      await request(server.url).post('/api/billing/portal').set('Authorization', bearer(ana.token)),
      501,
      'billing_not_configured',
    );
    const payload = signed(event('checkout.session.completed', { client_reference_id: ana.userId, customer: 'cus_a' }));
    expectError(await sendWebhook(server, payload.body, payload.signature), 501, 'billing_not_configured');
    expect(await countEvents(server)).toBe(0);
    expect(await billingOf(server, ana)).toMatchObject({ plan: 'free' });
  });
});
