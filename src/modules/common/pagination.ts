import { ClassType, Field, Int, ObjectType } from 'type-graphql';
import { badInput } from '../../server/errors';

@ObjectType({ simpleResolvers: true })
export class PageInfo {
  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true })
  endCursor!: string | null;
}

export interface Page<T> {
  nodes: T[];
  pageInfo: PageInfo;
  totalCount: number;
}

/** A named connection type (`XConnection { nodes pageInfo totalCount }`) for one node type. */
export function Connection<T extends object>(Node: ClassType<T>) {
  @ObjectType({ simpleResolvers: true })
  abstract class ConnectionClass {
    @Field(() => [Node])
    nodes!: T[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    @Field(() => Int)
    totalCount!: number;
  }
  return ConnectionClass;
}

export const MAX_PAGE_SIZE = 100;

/** `first` from 0 to 100 (BAD_USER_INPUT otherwise). */
export function pageSize(first: number | null | undefined, fallback = 50): number {
  const n = first ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > MAX_PAGE_SIZE) {
    throw badInput('first', `first must be an integer from 0 to ${MAX_PAGE_SIZE}`);
  }
  return n;
}

/** Cursors are opaque: base64url of a JSON array of the sort key's values. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key of `after` (nulls in it only when `nullable`), or null; a cursor that is not one of ours is BAD_USER_INPUT. */
export function decodeCursor(after: string | null | undefined, arity: number, options: { nullable?: boolean } = {}): unknown[] | null {
  if (after === undefined || after === null) return null;
  try {
    if (after.length > 512) throw new Error('too long');
    const key = JSON.parse(Buffer.from(after, 'base64url').toString('utf8'));
    // Our cursors never hold NUL or an unpaired surrogate, which PostgreSQL refuses as text (INTERNAL_SERVER_ERROR).
    const text = (v: unknown) => typeof v === 'string' && !/\u0000|\p{Cs}/u.test(v);
    if (!Array.isArray(key) || key.length !== arity || key.some((v) => !text(v) && typeof v !== 'number' && !(options.nullable && v === null))) {
      throw new Error('shape');
    }
    return key;
  } catch {
    throw badInput('after', 'after is not a valid cursor');
  }
}

/** Builds a page from rows fetched with LIMIT first + 1. */
export function toPage<T>(rows: T[], first: number, totalCount: number, keyOf: (row: T) => unknown[]): Page<T> {
  const hasNextPage = rows.length > first;
  const nodes = hasNextPage ? rows.slice(0, first) : rows;
  const last = nodes[nodes.length - 1];
  return { nodes, totalCount, pageInfo: { hasNextPage, endCursor: last ? encodeCursor(keyOf(last)) : null } };
}
