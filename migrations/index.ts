import { Initial1795970590596 } from './1795970590596-Initial';

/** Every migration, in order. A new migration file is added here too. */
export const migrations: Function[] = [Initial1795970590596];
