import { capabilityChecks } from './capability-cases';
import type { Check, Kind } from './checks';
import { effectChecks } from './effect-cases';
import { listChecks } from './list-cases';
import { gateChecks } from './operations';

/** Every generated case of a kind, lazily (there are over 200,000: none is kept unless asked for). */
export function checksOf(kind: Kind): Generator<Check> {
  switch (kind) {
    case 'gate':
      return gateChecks();
    case 'list':
      return listChecks();
    case 'effect':
      return effectChecks();
    case 'capability':
      return capabilityChecks();
  }
}
