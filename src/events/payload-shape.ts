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

/**
 * What decides a feed event's payload for one subscription: its selection set (with the
 * fragments it uses) and the values of the variables used inside it. Subscriptions whose shape
 * has the same `key` get the same payload for the same event and the same viewer, so the feed
 * executes and serialises it once for all of them.
 *
 * `shared` says whether the payload is also the same for every workspace ADMIN: true when the
 * selection reads only fields whose value does not depend on who looks, given that the viewer
 * sees the job (below). Then one execution serves every ADMIN; otherwise one per viewer.
 * A non-ADMIN only ever receives their own jobs, so for them the viewer is the job's starter
 * and one execution per event serves all of that person's subscriptions anyway.
 */
export interface PayloadShape {
  id: number;
  key: string;
  shared: boolean;
  /** What to execute: the subscriber's own document and variables. */
  document: DocumentNode;
  variableValues: Record<string, unknown> | undefined;
  operationName: string | undefined;
}

/**
 * The fields a payload may read and still be the same for every ADMIN. Job.project, dataset
 * and retryOf are here because an ADMIN sees every resource and every job. Anything else (a
 * project's viewerRole or members, a person's groups, fields added later) makes the shape
 * per viewer: correct by default, shared only by review.
 */
const SHARED_FIELDS: Record<string, ReadonlySet<string>> = {
  JobEvent: new Set(['cursor', 'job', 'status', 'progress', 'occurredAt']),
  Job: new Set(['id', 'type', 'status', 'progress', 'user', 'project', 'dataset', 'folder', 'errorMessage', 'errorDetails', 'retryOf', 'createdAt', 'updatedAt', 'finishedAt']),
  StorageFolder: new Set(['id', 'name']),
  WorkspaceUser: new Set(['id', 'email', 'name', 'role', 'status', 'invitedAt', 'declinedAt', 'joinedAt', 'internal']),
  Resource: new Set(['id', 'type', 'name', 'description', 'createdAt']),
  Project: new Set(['id', 'type', 'name', 'description', 'createdAt']),
  Dataset: new Set(['id', 'type', 'name', 'description', 'createdAt']),
  Ontology: new Set(['id', 'type', 'name', 'description', 'createdAt']),
};

/**
 * Interns shape keys to small numbers, so the fan-out compares numbers, not long strings.
 * Counted: a key goes when its last subscription does, so clients cannot grow it without bound.
 */
export class ShapeRegistry {
  private readonly ids = new Map<string, { id: number; key: string; users: number; shared: boolean }>();
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
      entry = { id: this.next++, key, users: 0, shared: readsOnlyShared(args.schema, args.rootType, args.field.selectionSet, fragments) };
      this.ids.set(key, entry);
    }
    entry.users += 1;
    return {
      id: entry.id,
      key: entry.key, // one string for every subscription of the shape
      shared: entry.shared,
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

function readsOnlyShared(
  schema: GraphQLSchema,
  type: GraphQLNamedType,
  selectionSet: SelectionSetNode | undefined,
  fragments: Map<string, FragmentDefinitionNode>,
  seen = new Set<string>(),
): boolean {
  if (!selectionSet) return true;
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name === '__typename') continue;
      const allowed = SHARED_FIELDS[type.name];
      if (!allowed?.has(name) || (selection.arguments?.length ?? 0) > 0) return false;
      if (!isObjectType(type) && !isInterfaceType(type)) return false;
      const field = type.getFields()[name];
      if (!field) return false;
      if (!readsOnlyShared(schema, getNamedType(field.type), selection.selectionSet, fragments, seen)) return false;
    } else {
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (!fragment) return false;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (seen.has(selection.name.value)) continue;
        seen.add(selection.name.value);
      }
      const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
      if (!condition || !readsOnlyShared(schema, condition, fragment.selectionSet, fragments, seen)) return false;
    }
  }
  return true;
}
