/**
 * Standalone simulator (`nx serve pve-sim`). Settings come from the environment:
 * PVE_SIM_ROOT_PASSWORD (required), PVE_SIM_TOKEN_ID + PVE_SIM_TOKEN_SECRET, PVE_SIM_PORT (8006),
 * PVE_SIM_HOST (127.0.0.1), PVE_SIM_PROTOCOL (https), PVE_SIM_TIME_SCALE (0.2), PVE_SIM_SEED (1),
 * PVE_SIM_STATE_FILE, PVE_SIM_CERT_DIR, PVE_SIM_SCENARIO (default), PVE_SIM_STATS_CACHE (`off` = live
 * `/cluster/resources` figures; default: refreshed every 10 s × the time scale), PVE_SIM_VERSION (9.2 or 8.3).
 */
import type { PveRelease } from '@proxdeck/pve-client';
import { startPveSimulator, type ScenarioName } from './index';

async function main(): Promise<void> {
  const env = process.env;
  const rootPassword = env.PVE_SIM_ROOT_PASSWORD;
  if (!rootPassword) {
    console.error('PVE_SIM_ROOT_PASSWORD is required');
    process.exit(2);
  }
  const tokenId = env.PVE_SIM_TOKEN_ID;
  const tokenSecret = env.PVE_SIM_TOKEN_SECRET;
  const sim = await startPveSimulator({
    rootPassword,
    ...(tokenId && tokenSecret ? { apiToken: { id: tokenId, secret: tokenSecret } } : {}),
    port: Number(env.PVE_SIM_PORT ?? 8006),
    host: env.PVE_SIM_HOST ?? '127.0.0.1',
    protocol: env.PVE_SIM_PROTOCOL === 'http' ? 'http' : 'https',
    timeScale: Number(env.PVE_SIM_TIME_SCALE ?? 0.2),
    seed: Number(env.PVE_SIM_SEED ?? 1),
    ...(env.PVE_SIM_STATE_FILE ? { stateFile: env.PVE_SIM_STATE_FILE } : {}),
    ...(env.PVE_SIM_CERT_DIR ? { certDir: env.PVE_SIM_CERT_DIR } : {}),
    scenario: (env.PVE_SIM_SCENARIO ?? 'default') as ScenarioName,
    ...(env.PVE_SIM_STATS_CACHE === 'off' ? { statsRefreshMs: 'off' as const } : {}),
    ...(env.PVE_SIM_VERSION ? { release: env.PVE_SIM_VERSION as PveRelease } : {}),
  });
  console.log(`PVE simulator listening on ${sim.url}${sim.caFile ? ` (CA: ${sim.caFile})` : ''}`);
  const stop = (): void => {
    void sim.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
