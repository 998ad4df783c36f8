import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signup, startTestServer, type TestServer } from './harness.ts';

describe('test harness', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('starts a migrated server on its own database and signs a user up', async () => {
    const { token, user } = await signup(server);
    const me = await request(server.url).get('/api/me').set('Authorization', `Bearer ${token}`);
    expect(me.status).toBe(200);
    expect(me.body.user.id).toBe(user.id);
    expect(server.databaseUrl).toMatch(/duet_test_[0-9a-f]{12}$/);
  });
});
