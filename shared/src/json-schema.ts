/**
 * The protocol as JSON Schema, generated from the zod schemas (one definition per request, answer,
 * frame, entity and mutation's args), so clients in other languages can validate what they send.
 * `docs/protocol.schema.json` is this document; a test fails when it is out of date.
 */
import { z } from 'zod';
import * as accountApi from './account-api.ts';
import * as api from './api.ts';
import * as billingApi from './billing-api.ts';
import * as dataExport from './data-export.ts';
import { entitySchemas } from './entities.ts';
import { mutationArgsSchemas } from './mutations.ts';
import { PROTOCOL_VERSION } from './protocol-version.ts';
import * as realtime from './realtime.ts';

const messages: Record<string, z.ZodType> = {
  SignupRequest: api.SignupRequestSchema,
  LoginRequest: api.LoginRequestSchema,
  DeleteAccountRequest: api.DeleteAccountRequestSchema,
  AuthResponse: api.AuthResponseSchema,
  MeResponse: api.MeResponseSchema,
  InviteResponse: api.InviteResponseSchema,
  AcceptInviteRequest: api.AcceptInviteRequestSchema,
  AcceptInviteResponse: api.AcceptInviteResponseSchema,
  PushRequest: api.PushRequestSchema,
  PushResponse: api.PushResponseSchema,
  PullRequest: api.PullRequestSchema,
  PullResponse: api.PullResponseSchema,
  StatsResponse: api.StatsResponseSchema,
  ErrorBody: api.ErrorBodySchema,
  PasswordResetRequest: accountApi.PasswordResetRequestSchema,
  PasswordResetRequestedResponse: accountApi.PasswordResetRequestedSchema,
  PasswordResetConfirmRequest: accountApi.PasswordResetConfirmRequestSchema,
  ChangePasswordRequest: accountApi.ChangePasswordRequestSchema,
  PasswordChangedResponse: accountApi.PasswordChangedResponseSchema,
  InviteByEmailRequest: accountApi.InviteByEmailRequestSchema,
  BillingResponse: billingApi.BillingResponseSchema,
  BillingRedirectResponse: billingApi.BillingRedirectResponseSchema,
  DataExport: dataExport.DataExportSchema,
  DataImportResponse: dataExport.DataImportResponseSchema,
  ClientFrame: realtime.ClientFrameSchema,
  ServerFrame: realtime.ServerFrameSchema,
};

function definition(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  // Refinements and transforms (a time zone check, lower-casing an email) have no JSON Schema form:
  // the document states the shape; the server's zod schema stays the judge.
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/** The whole document: requests as a client writes them, answers and entities as the server sends them. */
export function protocolJsonSchema(): Record<string, unknown> {
  const defs: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(messages))
    defs[name] = definition(schema, name.endsWith('Request') || name === 'ClientFrame' ? 'input' : 'output');
  for (const [kind, schema] of Object.entries(entitySchemas)) defs[`entity.${kind}`] = definition(schema, 'output');
  for (const [name, schema] of Object.entries(mutationArgsSchemas)) defs[`args.${name}`] = definition(schema, 'input');
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `Duet sync protocol, version ${PROTOCOL_VERSION}`,
    $defs: defs,
  };
}
