// Allowed: a module uses another through its public file, and the platform.
import { now } from '../../platform/clock/clock';
import { alphaName } from '../alpha';

export const betaLabel = (): string => `${alphaName()}@${String(now())}`;
