/**
 * Helmet's headers, with HSTS and the CSP's `upgrade-insecure-requests` only on requests that came
 * over TLS (directly, or `X-Forwarded-Proto: https` from a trusted proxy). Sent over plain HTTP on
 * a network, those two make the browser fetch the app's scripts over https, which is not there:
 * the page stays blank.
 */
import type { RequestHandler } from 'express';
import helmet from 'helmet';

// The app talks only to its own origin; 'self' covers same-origin ws:/wss: in CSP 3 browsers, so
// an injected script has no other host to send data to.
const directives = { 'connect-src': ["'self'"], 'img-src': ["'self'", 'data:', 'blob:'], 'media-src': ["'self'", 'blob:'] };

export function securityHeaders(): RequestHandler {
  const overTls = helmet({ contentSecurityPolicy: { directives } });
  const plain = helmet({
    contentSecurityPolicy: { directives: { ...directives, 'upgrade-insecure-requests': null } },
    strictTransportSecurity: false,
  });
  // req.secure honours X-Forwarded-Proto only from the proxies `trust proxy` names.
  return (req, res, next) => (req.secure ? overTls : plain)(req, res, next);
}
