import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { leastPrivilegeRoles } from '@proxdeck/pve-client';
import { accessForRoles, startPveSimulator, type RunningPveSimulator } from '@proxdeck/pve-sim';
import { AppConfig } from '../config/app-config';

/** How processes of one installation reach the embedded simulator: written by the API, read by workers. */
export interface SimulatorConnection {
  url: string;
  caFile: string | null;
  tokenId: string;
  tokenSecret: string;
}

export function simulatorDir(config: AppConfig): string {
  return resolve(config.values.DATA_DIR, 'pve-sim');
}

export function connectionFile(config: AppConfig): string {
  return join(simulatorDir(config), 'connection.json');
}

interface StoredCredentials {
  rootPassword: string;
  tokenSecret: string;
  /** The least-privilege user and its token, which Proxdeck itself uses. */
  proxdeckPassword: string;
  proxdeckTokenSecret: string;
}

/** The simulated cluster's least-privilege account for Proxdeck, as the README's `pveum` setup makes it. */
export const SIMULATOR_PROXDECK_USER = 'proxdeck@pve';
export const SIMULATOR_PROXDECK_TOKEN = 'proxdeck@pve!proxdeck';

/**
 * Credentials of the simulator: root's from the settings when given, otherwise (and always for the
 * least-privilege account) generated once and kept in DATA_DIR (mode 0600) so they survive restarts.
 * Never hard-coded.
 */
function simulatorCredentials(config: AppConfig): StoredCredentials {
  const file = join(simulatorDir(config), 'credentials.json');
  let stored: StoredCredentials | null = null;
  if (existsSync(file)) stored = JSON.parse(readFileSync(file, 'utf8')) as StoredCredentials;
  const credentials: StoredCredentials = {
    rootPassword:
      config.values.PVE_SIM_ROOT_PASSWORD ?? stored?.rootPassword ?? randomBytes(18).toString('base64url'),
    tokenSecret:
      config.values.PVE_SIM_TOKEN_SECRET ?? stored?.tokenSecret ?? randomBytes(18).toString('base64url'),
    proxdeckPassword: stored?.proxdeckPassword ?? randomBytes(18).toString('base64url'),
    proxdeckTokenSecret: stored?.proxdeckTokenSecret ?? randomBytes(18).toString('base64url'),
  };
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  return credentials;
}

/** The simulated cluster survives restarts (as the database does) unless PVE_SIM_STATE_FILE is "off". */
function simulatorStateFile(config: AppConfig): { stateFile?: string } {
  const setting = config.values.PVE_SIM_STATE_FILE;
  if (setting === 'off') return {};
  return { stateFile: resolve(setting ?? join(simulatorDir(config), 'state.json')) };
}

/**
 * Starts the built-in Proxmox VE simulator (when PVE_URL is unset) and publishes how to reach it. Besides root
 * and root's token (PVE_SIM_TOKEN_ID), the simulated cluster has the least-privilege user `proxdeck@pve` and
 * its privilege-separated token, with exactly the roles of the README's setup: that token is what Proxdeck uses.
 */
export async function startEmbeddedSimulator(config: AppConfig): Promise<RunningPveSimulator> {
  const dir = simulatorDir(config);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const credentials = simulatorCredentials(config);
  const simulator = await startPveSimulator({
    port: config.values.PVE_SIM_PORT,
    host: '127.0.0.1',
    protocol: 'https',
    certDir: dir,
    seed: config.values.PVE_SIM_SEED,
    release: config.values.PVE_SIM_VERSION,
    timeScale: config.values.PVE_SIM_TIME_SCALE,
    rootPassword: credentials.rootPassword,
    apiToken: { id: config.values.PVE_SIM_TOKEN_ID, secret: credentials.tokenSecret },
    ...accessForRoles(
      leastPrivilegeRoles(config.values.PVE_SIM_VERSION),
      { userid: SIMULATOR_PROXDECK_USER, password: credentials.proxdeckPassword },
      { id: SIMULATOR_PROXDECK_TOKEN, secret: credentials.proxdeckTokenSecret },
    ),
    ...simulatorStateFile(config),
  });
  const connection: SimulatorConnection = {
    url: simulator.url,
    caFile: simulator.caFile ?? null,
    tokenId: SIMULATOR_PROXDECK_TOKEN,
    tokenSecret: credentials.proxdeckTokenSecret,
  };
  writeFileSync(connectionFile(config), JSON.stringify(connection), { mode: 0o600 });
  return simulator;
}

/**
 * Runs the built-in simulator inside the API process when no PVE_URL is configured: started before the
 * HTTP server listens, closed (its state flushed to disk) when the application shuts down.
 */
@Injectable()
export class EmbeddedSimulator implements OnModuleInit, OnApplicationShutdown {
  private running: RunningPveSimulator | null = null;

  constructor(private readonly config: AppConfig) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.usesSimulator || this.config.processRole !== 'api') return;
    this.running = await startEmbeddedSimulator(this.config);
    new Logger('Proxmox').log(`No PVE_URL: the built-in Proxmox VE simulator runs at ${this.running.url}`);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.running?.close();
    this.running = null;
  }
}
