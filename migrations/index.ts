import { Initial1795970590596 } from './1795970590596-Initial';
import { RulesEverywhere1796134004507 } from './1796134004507-RulesEverywhere';
import { InvitedBy1796225847311 } from './1796225847311-InvitedBy';
import { InvitationsIndex1796310000000 } from './1796310000000-InvitationsIndex';

/** Every migration, in order. A new migration file is added here too. */
export const migrations: Function[] = [Initial1795970590596, RulesEverywhere1796134004507, InvitedBy1796225847311, InvitationsIndex1796310000000];
