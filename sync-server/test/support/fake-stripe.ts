/**
 * A local HTTP server in Stripe's place (STRIPE_API_BASE points the stripe package at it): it
 * records every request (method, path, form body, authorization) and answers checkout and portal
 * sessions the way Stripe's API does, in shape.
 */
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedStripeRequest {
  method: string;
  path: string;
  authorization: string | undefined;
  form: URLSearchParams;
}

export interface FakeStripe {
  url: string;
  requests: RecordedStripeRequest[];
  close(): Promise<void>;
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });

export async function startFakeStripe(): Promise<FakeStripe> {
  const requests: RecordedStripeRequest[] = [];
  let sessions = 0;
  const server = http.createServer((req, res) => {
    void readBody(req).then((body) => {
      const path = (req.url ?? '').split('?')[0] ?? '';
      requests.push({ method: req.method ?? '', path, authorization: req.headers.authorization, form: new URLSearchParams(body) });
      const id = ++sessions;
      res.setHeader('Content-Type', 'application/json');
      res.setHeader('Request-Id', `req_${id}`);
      if (req.method === 'POST' && path === '/v1/checkout/sessions') {
        res.end(JSON.stringify({ id: `cs_test_${id}`, object: 'checkout.session', url: `https://checkout.stripe.test/c/cs_test_${id}` }));
      } else if (req.method === 'POST' && path === '/v1/billing_portal/sessions') {
        res.end(JSON.stringify({ id: `bps_${id}`, object: 'billing_portal.session', url: `https://billing.stripe.test/p/bps_${id}` }));
      } else {
        res.statusCode = 404;
        res.end(JSON.stringify({ error: { type: 'invalid_request_error', message: `no route ${req.method} ${path}` } }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
