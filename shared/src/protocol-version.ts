/**
 * Version of the wire contract in docs/protocol.md, sent by clients in the `Duet-Protocol` header.
 * What it promises: a server speaking version N accepts every request of a client of any version
 * from MIN_SUPPORTED_PROTOCOL_VERSION to N. Additive fields do not bump it; a removed or retyped
 * field does, and raising MIN_SUPPORTED_PROTOCOL_VERSION is how a server stops serving old apps
 * (they are told `unsupported_protocol` and ask the person to update). A client newer than the
 * server is served too: it must not rely on fields the server does not know.
 */
export const PROTOCOL_VERSION = 1;
export const MIN_SUPPORTED_PROTOCOL_VERSION = 1;
export const PROTOCOL_HEADER = 'Duet-Protocol';

/** How a server speaking PROTOCOL_VERSION answers a client that sent this header value (absent: served). */
export function protocolSupport(header: string | undefined): 'supported' | 'malformed' | 'too_old' {
  if (header === undefined) return 'supported';
  if (!/^\d{1,6}$/.test(header)) return 'malformed';
  return Number(header) >= MIN_SUPPORTED_PROTOCOL_VERSION ? 'supported' : 'too_old';
}
