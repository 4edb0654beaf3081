import type { ResourceRole, ResourceType } from '../modules/resources/resource.entity';
import type { WorkspaceRole } from '../modules/users/membership.entity';
import { ROLE_RANK } from './roles';

/**
 * The words a scope is written in (scopes.ts): who sees which object, as one definition that
 * two interpreters read. `holds` tests one loaded object in memory; `toSql` compiles the same
 * definition to a predicate that lists and counts compose into their WHERE clause. The viewer
 * is known when a query is built, so what depends only on them (their workspace role) is
 * decided then and only the rest reaches the SQL: an ADMIN's list has no visibility clause.
 */

/** The objects a scope is about, and what an in-memory test reads of each. */
export interface ObjectFacts {
  person: { userId: string };
  resource: { type: ResourceType; viewerRole: ResourceRole | null };
  group: { createdBy: string | null; viewerIsMember: boolean; viewerIsManager: boolean };
  job: { startedBy: string };
  apiKey: { ownerId: string };
}
export type ObjectKind = keyof ObjectFacts;

/** The object's column that may name the viewer. */
type ViewerField<K extends ObjectKind> = { [F in keyof ObjectFacts[K]]: ObjectFacts[K][F] extends string | null ? F : never }[keyof ObjectFacts[K]] &
  string;

export type Condition<K extends ObjectKind> =
  | { is: 'role'; roles: readonly WorkspaceRole[] }
  | { is: 'viewer'; field: ViewerField<K> }
  | { is: 'atLeast'; role: ResourceRole }
  | { is: 'type'; types: readonly ResourceType[] }
  | { is: 'member' }
  | { is: 'manager' }
  | { is: 'all'; of: readonly Condition<K>[] }
  | { is: 'any'; of: readonly Condition<K>[] }
  | { is: 'not'; of: Condition<K> };

/** The viewer as a condition sees them: who, and their role in the object's workspace. */
export interface Viewer {
  userId: string;
  role: WorkspaceRole;
}

// ---- The words ------------------------------------------------------------------------------

/** The viewer's workspace role is one of these. */
export const role = <K extends ObjectKind>(...roles: WorkspaceRole[]): Condition<K> => ({ is: 'role', roles });
/** The object's `field` names the viewer (a person is the viewer; a job was started by them). */
export const isViewer = <K extends ObjectKind>(field: ViewerField<K>): Condition<K> => ({ is: 'viewer', field });
/** The viewer's effective role on the resource ranks at least `role` (USER: any role at all). */
export const atLeast = (role: ResourceRole): Condition<'resource'> => ({ is: 'atLeast', role });
export const resourceType = (...types: ResourceType[]): Condition<'resource'> => ({ is: 'type', types });
/** The viewer is a member of the group (managers are not members). */
export const member = (): Condition<'group'> => ({ is: 'member' });
/** The viewer manages the group. */
export const manager = (): Condition<'group'> => ({ is: 'manager' });
export const all = <K extends ObjectKind>(...of: Condition<K>[]): Condition<K> => ({ is: 'all', of });
export const any = <K extends ObjectKind>(...of: Condition<K>[]): Condition<K> => ({ is: 'any', of });
export const not = <K extends ObjectKind>(of: Condition<K>): Condition<K> => ({ is: 'not', of });

// ---- In memory --------------------------------------------------------------------------------

/** Whether the condition holds for one object the viewer has loaded. */
export function holds<K extends ObjectKind>(c: Condition<K>, viewer: Viewer, facts: ObjectFacts[K]): boolean {
  switch (c.is) {
    case 'role':
      return c.roles.includes(viewer.role);
    case 'viewer':
      return (facts as Record<string, unknown>)[c.field] === viewer.userId;
    case 'atLeast': {
      const held = (facts as ObjectFacts['resource']).viewerRole;
      return held !== null && ROLE_RANK[held] >= ROLE_RANK[c.role];
    }
    case 'type':
      return c.types.includes((facts as ObjectFacts['resource']).type);
    case 'member':
      return (facts as ObjectFacts['group']).viewerIsMember;
    case 'manager':
      return (facts as ObjectFacts['group']).viewerIsManager;
    case 'all':
      return c.of.every((x) => holds(x, viewer, facts));
    case 'any':
      return c.of.some((x) => holds(x, viewer, facts));
    case 'not':
      return !holds(c.of, viewer, facts);
  }
}

// ---- In SQL -----------------------------------------------------------------------------------

/** Bind parameters of a statement being built: `add` answers the placeholder of a value. */
export class SqlParams {
  constructor(readonly values: unknown[] = []) {}

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * How a kind of object appears in a statement: its row's alias, and the SQL of the conditions
 * that read the database (the viewer's roles and ties). authorization/facts.data.ts writes them.
 */
export interface SqlAtoms {
  column(field: string): string;
  atLeast?(role: ResourceRole, viewer: string): string;
  member?(viewer: string): string;
  manager?(viewer: string): string;
}

type Partial<K extends ObjectKind> = true | false | Condition<K>;

/** Decides what depends on the viewer alone (their role); leaves the rest, simplified. */
export function partial<K extends ObjectKind>(c: Condition<K>, viewer: Viewer): Partial<K> {
  switch (c.is) {
    case 'role':
      return c.roles.includes(viewer.role);
    case 'all': {
      const rest: Condition<K>[] = [];
      for (const x of c.of) {
        const p = partial(x, viewer);
        if (p === false) return false;
        if (p !== true) rest.push(p);
      }
      return rest.length === 0 ? true : rest.length === 1 ? rest[0] : { is: 'all', of: rest };
    }
    case 'any': {
      const rest: Condition<K>[] = [];
      for (const x of c.of) {
        const p = partial(x, viewer);
        if (p === true) return true;
        if (p !== false) rest.push(p);
      }
      return rest.length === 0 ? false : rest.length === 1 ? rest[0] : { is: 'any', of: rest };
    }
    case 'not': {
      const p = partial(c.of, viewer);
      return p === true ? false : p === false ? true : { is: 'not', of: p };
    }
    default:
      return c;
  }
}

/** The condition as a SQL predicate over the object's row, for this viewer. */
export function toSql<K extends ObjectKind>(c: Condition<K>, viewer: Viewer, atoms: SqlAtoms, params: SqlParams): string {
  const p = partial(c, viewer);
  if (p === true) return 'TRUE';
  if (p === false) return 'FALSE';
  let me: string | undefined;
  const viewerParam = () => (me ??= `${params.add(viewer.userId)}::uuid`);
  const sql = (x: Condition<K>): string => {
    switch (x.is) {
      case 'role':
        return x.roles.includes(viewer.role) ? 'TRUE' : 'FALSE';
      case 'viewer':
        return `${atoms.column(x.field)} = ${viewerParam()}`;
      case 'type':
        return `${atoms.column('type')} = ANY(${params.add(x.types)}::text[])`;
      case 'atLeast':
        return need(atoms.atLeast, 'atLeast')(x.role, viewerParam());
      case 'member':
        return need(atoms.member, 'member')(viewerParam());
      case 'manager':
        return need(atoms.manager, 'manager')(viewerParam());
      case 'all':
        return `(${x.of.map(sql).join(' AND ')})`;
      case 'any':
        return `(${x.of.map(sql).join(' OR ')})`;
      case 'not':
        return `NOT ${sql(x.of)}`;
    }
  };
  return sql(p);
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`this kind of object has no SQL for the condition ${what}`);
  return value;
}

/** Whether the condition holds for every object, whoever of this role looks (an ADMIN sees every resource). */
export function unconditional<K extends ObjectKind>(c: Condition<K>, viewerRole: WorkspaceRole): boolean {
  return partial(c, { userId: '', role: viewerRole }) === true;
}
