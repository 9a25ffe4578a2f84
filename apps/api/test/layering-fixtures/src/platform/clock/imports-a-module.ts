// Violation: the platform imports a domain module (even through its public file).
import { alphaName } from '../../modules/alpha';

export const platformKnowsAlpha = (): string => alphaName();
