// Violation: the platform imports the composition root.
import { rootName } from '../../app';

export const platformKnowsRoot = (): string => rootName;
