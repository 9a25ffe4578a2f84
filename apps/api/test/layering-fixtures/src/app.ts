// Allowed: the composition root wires modules through their public files.
import { alphaName } from './modules/alpha';

export const rootName = `app(${alphaName()})`;
