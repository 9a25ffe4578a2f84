/** Layering fixture: module alpha's public file. */
export { alphaName } from './alpha.service';
