/**
 * What a server-creation job carries from the API process that planned it to the worker that runs it
 * (`servers.create`): every server resolved and checked before it was queued, with ids and choices only; the
 * password only as a SHA-512 crypt hash.
 */

/** A disk of a planned server. */
export interface PlannedDisk {
  /** `scsi0`, `virtio1`, ...; the first is the template's boot disk, cloned. */
  device: string;
  datastore: string;
  size_gb: number;
}

export interface PlannedNic {
  /** `net0`, ... */
  device: string;
  bridge: string;
  /** `auto` or an IPv4 address. */
  address: string;
  /** For an explicit address outside every pool. */
  subnet: { prefix: number; gateway: string } | null;
}

/** What a job payload holds per server: ids and choices, and the password only as a SHA-512 crypt hash. */
export interface PlannedServer {
  name: string;
  template: { vmid: number; node: string };
  node: string;
  cores: number;
  memory_mb: number;
  disks: PlannedDisk[];
  nics: PlannedNic[];
  os_type: string | null;
  firewall_group: string | null;
  ciuser: string;
  /** SHA-512 crypt; null when the user logs in with keys only. */
  cipassword_hash: string | null;
  ssh_keys: string[];
  tags: string[];
  description: string;
  /** The role applied as the creation's last step (absent in tasks queued before roles existed). */
  role?: string | null;
  /** Its variables, secret ones left out (they wait apart from the task record). */
  role_variables?: Record<string, string | number | boolean | (string | number | boolean)[]>;
}
