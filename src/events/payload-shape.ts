import {
  getNamedType,
  getOperationAST,
  isObjectType,
  isInterfaceType,
  Kind,
  print,
  visit,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { unconditional } from '../authorization/conditions';
import { scopes, type ScopeName } from '../authorization/scopes';
import type { WorkspaceRole } from '../modules/users/membership.entity';

/**
 * What decides a feed event's payload for one subscription: its selection set (with the
 * fragments it uses) and the values of the variables used inside it. Subscriptions whose shape
 * has the same `key` get the same payload for the same event and the same viewer, so the feed
 * executes and serialises it once for all of them.
 *
 * `sharedBy(role)` says whether the payload is also the same for every viewer of that workspace
 * role: true when the selection reads only fields that show their object to whoever passes the
 * object's scope, and every such scope holds for that role whatever the object (scopes.ts: an
 * ADMIN sees every resource, person and job). Then one execution serves every viewer of the
 * role; otherwise one per viewer. A non-ADMIN only ever receives their own jobs, so for them
 * one execution per event serves all of that person's subscriptions anyway.
 */
export interface PayloadShape {
  id: number;
  key: string;
  sharedBy(role: WorkspaceRole): boolean;
  /** What to execute: the subscriber's own document and variables. */
  document: DocumentNode;
  variableValues: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/**
 * The fields a payload may read and still be the same for every viewer who passes the scope
 * named beside each (null: the field shows nothing beyond the job the viewer already sees).
 * Anything else (a project's viewerRole or members, a person's groups, viewerCan, fields added
 * later) makes the shape per viewer: correct by default, shared only by review.
 */
const RESOURCE_FIELDS = { id: null, type: null, name: null, description: null, createdAt: null } as const;
const SHARED_FIELDS: Record<string, Readonly<Record<string, ScopeName | null>>> = {
  JobEvent: { cursor: null, job: null, status: null, progress: null, occurredAt: null },
  Job: {
    id: null, type: null, status: null, progress: null, user: 'person', cancelledBy: 'person', project: 'resource', dataset: 'resource',
    folder: null, errorMessage: null, errorDetails: null, retryOf: 'job', createdAt: null, updatedAt: null, finishedAt: null,
  },
  StorageFolder: { id: null, name: null },
  WorkspaceUser: { id: null, email: null, name: null, role: null, status: null, invitedAt: null, declinedAt: null, joinedAt: null, removedAt: null, internal: null },
  Resource: RESOURCE_FIELDS,
  Project: RESOURCE_FIELDS,
  Dataset: RESOURCE_FIELDS,
  Ontology: RESOURCE_FIELDS,
};

/**
 * Interns shape keys to small numbers, so the fan-out compares numbers, not long strings.
 * Counted: a key goes when its last subscription does, so clients cannot grow it without bound.
 */
export class ShapeRegistry {
  private readonly ids = new Map<string, { id: number; key: string; users: number; sharedBy: (role: WorkspaceRole) => boolean }>();
  private next = 1;

  acquire(args: {
    schema: GraphQLSchema;
    document: DocumentNode;
    field: FieldNode;
    rootType: GraphQLNamedType;
    variableValues: Record<string, unknown> | null | undefined;
    operationName: string | null | undefined;
  }): PayloadShape {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of args.document.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

    const used = new Set<string>();
    const usedFragments = new Set<string>();
    const collect = (node: FieldNode | SelectionSetNode | FragmentDefinitionNode) =>
      visit(node, {
        Variable: (v) => void used.add(v.name.value),
        FragmentSpread: (s) => {
          const name = s.name.value;
          if (usedFragments.has(name) || !fragments.has(name)) return;
          usedFragments.add(name);
          collect(fragments.get(name)!);
        },
      });
    // The root field's own arguments (workspaceId, filter, after) choose events, not their shape.
    const root: FieldNode = { ...args.field, arguments: [] };
    collect(root);

    // A variable's value decides, and so do its type and default (a value left out takes the default).
    const definitions = getOperationAST(args.document, args.operationName)?.variableDefinitions ?? [];
    const vars = [...used].sort().map((name) => {
      const definition = definitions.find((d) => d.variable.name.value === name);
      return [definition ? print(definition) : name, args.variableValues?.[name] ?? null];
    });
    const key = JSON.stringify([
      print(root),
      [...usedFragments].sort().map((name) => print(fragments.get(name)!)),
      vars,
    ]);
    let entry = this.ids.get(key);
    if (entry === undefined) {
      const used = new Set<ScopeName>();
      const shareable = readsOnlyShared(args.schema, args.rootType, args.field.selectionSet, fragments, used);
      entry = { id: this.next++, key, users: 0, sharedBy: sharing(shareable ? used : null) };
      this.ids.set(key, entry);
    }
    entry.users += 1;
    return {
      id: entry.id,
      key: entry.key, // one string for every subscription of the shape
      sharedBy: entry.sharedBy,
      document: args.document,
      variableValues: args.variableValues ?? undefined,
      operationName: args.operationName ?? undefined,
    };
  }

  release(shape: PayloadShape): void {
    const entry = this.ids.get(shape.key);
    if (entry && --entry.users <= 0) this.ids.delete(shape.key);
  }

  get size(): number {
    return this.ids.size;
  }
}

/** Whether a shape's payload is the same for every viewer of a role: every scope it passes holds for that role, whatever the object. */
function sharing(used: Set<ScopeName> | null): (role: WorkspaceRole) => boolean {
  const memo = new Map<WorkspaceRole, boolean>();
  return (role) => {
    let shared = memo.get(role);
    if (shared === undefined) memo.set(role, (shared = used !== null && [...used].every((name) => unconditional(scopes[name].condition as never, role))));
    return shared;
  };
}

function readsOnlyShared(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  used: Set<ScopeName>,
  seen = new Set<string>(),
): boolean {
  if (!selectionSet) return true;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name === '__typename') continue;
      const allowed = SHARED_FIELDS[type.name];
      if (!allowed || !(name in allowed) || (selection.arguments?.length ?? 0) > 0) return false;
      const scope = allowed[name];
      if (scope) used.add(scope);
      if (!isObjectType(type) && !isInterfaceType(type)) return false;
      const field = type.getFields()[name];
      if (!field) return false;
      if (!readsOnlyShared(schema, getNamedType(field.type), selection.selectionSet, fragments, used, seen)) return false;
    } else {
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (!fragment) return false;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(selection.name.value)) continue;
        seen.add(selection.name.value);
      }
      const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
      if (!condition || !readsOnlyShared(schema, condition, fragment.selectionSet, fragments, used, seen)) return false;
    }
  }
  return true;
}
