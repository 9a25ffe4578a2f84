import { existsSync, readFileSync } from 'node:fs';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { PveClient, type PveClientOptions } from '@proxdeck/pve-client';
import { AppConfig } from '../config/app-config';
import { MetricsService } from '../metrics/metrics.service';
import { connectionFile, type SimulatorConnection } from './embedded-simulator';

/**
 * Proxdeck's connection to Proxmox VE: a real cluster (PVE_URL) or the built-in simulator, which the API
 * process starts and announces in DATA_DIR for worker processes. One client per process, created on first use.
 */
@Injectable()
export class ProxmoxConnection implements OnApplicationShutdown {
  private client: PveClient | null = null;
  private closed = false;

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {}

  get mode(): 'cluster' | 'simulator' {
    return this.config.usesSimulator ? 'simulator' : 'cluster';
  }

  /** The typed client; throws when the simulator has not announced itself yet. */
  pve(): PveClient {
    this.client ??= new PveClient(this.clientOptions());
    return this.client;
  }

  /**
   * Whether this process is shutting down (its client closed): a request that failed then says nothing of
   * Proxmox, and work in flight must not record it as unreachable.
   */
  get closing(): boolean {
    return this.closed;
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.client?.close();
  }

  private clientOptions(): PveClientOptions {
    const values = this.config.values;
    const common: Pick<PveClientOptions, 'onRequest' | 'taskWatcher'> = {
      onRequest: (request) => {
        this.metrics.pveRequests.inc({ method: request.method });
      },
      // One /cluster/tasks poll per interval for every task followed; logs are read only for failures.
      taskWatcher: { intervalMs: values.PVE_TASK_POLL_MS, logTailLines: 0 },
    };
    if (values.PVE_URL !== undefined) {
      const auth: PveClientOptions['auth'] =
        values.PVE_TOKEN_ID !== undefined && values.PVE_TOKEN_SECRET !== undefined
          ? { type: 'token', tokenId: values.PVE_TOKEN_ID, secret: values.PVE_TOKEN_SECRET }
          : { type: 'ticket', username: values.PVE_USER ?? '', password: values.PVE_PASSWORD ?? '' };
      return {
        baseUrl: values.PVE_URL,
        auth,
        tlsVerify: values.PVE_TLS_VERIFY,
        ...(values.PVE_CA_FILE !== undefined ? { caFile: values.PVE_CA_FILE } : {}),
        maxConcurrentPerNode: values.TASK_CONCURRENCY_PER_NODE * 2,
        ...common,
      };
    }
    const file = connectionFile(this.config);
    if (!existsSync(file))
      throw new Error('the built-in simulator is not running (started by the API process)');
    const connection = JSON.parse(readFileSync(file, 'utf8')) as SimulatorConnection;
    return {
      baseUrl: connection.url,
      auth: { type: 'token', tokenId: connection.tokenId, secret: connection.tokenSecret },
      tlsVerify: true,
      ...(connection.caFile !== null ? { caFile: connection.caFile } : {}),
      ...common,
    };
  }
}
