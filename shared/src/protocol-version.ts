/**
 * Version of the wire contract in docs/protocol.md. A server speaking version N accepts every
 * request a version-N client sends; additive fields do not bump it, a removed or retyped field does.
 */
export const PROTOCOL_VERSION = 1;
