import { Initial1795970590596 } from './1795970590596-Initial';
import { RulesEverywhere1796134004507 } from './1796134004507-RulesEverywhere';
import { InvitedBy1796225847311 } from './1796225847311-InvitedBy';
import { InvitationsIndex1796310000000 } from './1796310000000-InvitationsIndex';
import { ApiKeyScopes1796400000000 } from './1796400000000-ApiKeyScopes';
import { JobsProvenance1796410000000 } from './1796410000000-JobsProvenance';
import { Webhooks1796420000000 } from './1796420000000-Webhooks';

/** Every migration, in order. A new migration file is added here too. */
export const migrations: Function[] = [Initial1795970590596, RulesEverywhere1796134004507, InvitedBy1796225847311, InvitationsIndex1796310000000, ApiKeyScopes1796400000000, JobsProvenance1796410000000, Webhooks1796420000000];
