/** Parses a request body with its zod schema, or answers 400 invalid_body naming the first problem. */
import type { z } from 'zod';
import { badBody } from './api-error.ts';

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), message: i.message }));
  const first = issues[0];
  throw badBody(first ? `${first.path || 'body'}: ${first.message}` : 'invalid body', issues);
}
