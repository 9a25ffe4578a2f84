// Violation: module beta reaches past alpha's public file.
import { alphaName } from '../alpha/alpha.service';

export const reached = (): string => alphaName();
