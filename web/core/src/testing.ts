/** Test doubles for the packages that use @duet/client (the web app's component tests). */
export { clientHarness, INVITE_CODE, PEOPLE } from './client/testing/fake-api.ts';
export { FakeServer } from './sync/testing/fake-server.ts';
export { FakeSocket } from './sync/testing/fake-socket.ts';
