export { createApp, type AppDeps } from './app.ts';
export { loadConfig, type Config } from './config.ts';
export { startServer, type RunningServer } from './server.ts';
export { encodeCursor } from './sync/cursor.ts';
export { createRedisClient, isCluster, slotTag, subscriberConnection, type RedisClient } from './cache/redis-client.ts';
