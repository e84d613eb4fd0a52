/** What the pages take from other modules, through their index files only. */
export { NEED_CODES } from '../../directory/index.ts';
export { allAgencies } from '../../structure/index.ts';
