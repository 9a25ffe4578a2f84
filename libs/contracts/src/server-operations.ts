/**
 * What the jobs of a server's life after its creation carry (`servers.action`, `servers.disk`): the servers by
 * name and the operator's choices; where each VM is and what it holds is read again when the job runs.
 */

/** A power action, or the deletion, of one server or of many (one task item per server). */
export const SERVER_ACTIONS = ['start', 'stop', 'reboot', 'delete'] as const;
export type ServerAction = (typeof SERVER_ACTIONS)[number];

export interface ServerActionPayload {
  action: ServerAction;
  /** stop: power off when the guest has not shut down within `timeout_s`; reboot: reset instead. */
  force: boolean;
  /** stop and reboot: how long the guest may take to shut down (Proxmox's default is 60 s). */
  timeout_s: number | null;
}

/** The bus types a disk can be added on, and their device numbers in Proxmox (`scsi0`…`scsi30`, …). */
export const DISK_INTERFACES = { scsi: 31, virtio: 16, sata: 6 } as const;
export type DiskInterface = keyof typeof DISK_INTERFACES;

export type ServerDiskPayload =
  | { operation: 'add'; server: string; interface: DiskInterface; datastore: string; size_gb: number }
  | { operation: 'remove'; server: string; device: string }
  | { operation: 'resize'; server: string; device: string; size_gb: number };
