import 'reflect-metadata';
import { getNamedType, getNullableType, isEnumType, isListType, isObjectType } from 'graphql';
import { LIST_MAX } from '../../src/server/limits/caps';
import { multiplier, UNBOUNDED_LIST } from '../../src/server/limits/cost';
import { startTestServer, type TestServer } from '../support/harness';
import { seedBigWorkspace, type BigWorkspace } from './big-workspace';
import { costOf, depthOf, hopsFrom, label, LIMITS, queryOf, realItems, schema, type Hop } from './shapes';

/**
 * The cost estimate is an upper bound of what an operation answers: every list field takes
 * `first` or has a declared maximum (caps.ts), and over many generated operations on a
 * workspace of 1,000 people no answer holds more items than its estimate.
 */

describe('every list field is bounded', () => {
  it('takes `first` or has a declared maximum (or is a list of an enum, or a connection’s nodes)', () => {
    const unbounded: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith('__') || !isObjectType(type)) continue;
      for (const field of Object.values(type.getFields())) {
        if (!isListType(getNullableType(field.type))) continue;
        if (multiplier(type.name, field, {}) >= UNBOUNDED_LIST) unbounded.push(`${type.name}.${field.name}`);
        const item = getNamedType(field.type);
        if (!isEnumType(item) && !(type.name.endsWith('Connection') && field.name === 'nodes') && !(`${type.name}.${field.name}` in LIST_MAX)) {
          unbounded.push(`${type.name}.${field.name} (no entry in LIST_MAX)`);
        }
      }
    }
    expect(unbounded).toEqual([]);
  });

  it('declares no maximum for a field the schema does not have', () => {
    const stale = Object.keys(LIST_MAX).filter((coordinate) => {
      const [type, field] = coordinate.split('.');
      const t = schema.getType(type);
      return !t || !isObjectType(t) || !t.getFields()[field];
    });
    expect(stale).toEqual([]);
  });
});

/** A small deterministic generator (mulberry32): the same operations on every run. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Runs of estimates within this are executed (4x the default limit: the bound must hold past it too). */
const MAX_RUN_COST = 200_000;

describe('estimates bound answers', () => {
  let server: TestServer;
  let big: BigWorkspace;
  beforeAll(async () => {
    server = await startTestServer({ RATE_LIMIT_POINTS: '0', GRAPHQL_MAX_COST: String(MAX_RUN_COST), MAX_RESPONSE_BYTES: String(256 * 1024 * 1024) });
    big = await seedBigWorkspace(server);
    // Data past a cap (written before it, or by a race): the list still answers at most the cap.
    await server.db.query(`INSERT INTO group_members (group_id, user_id) VALUES ($1, $2)`, [big.groupIds[0], big.actors.ADMIN.id]);
  }, 120_000);
  afterAll(() => server?.close());

  it('over 150 generated operations, for each role, no answer exceeds its estimate', async () => {
    const next = random(20260601);
    const pick = <T>(list: T[]): T => list[Math.floor(next() * list.length)];
    const checked: Array<{ shape: string; role: string; estimate: number; real: number }> = [];
    let attempts = 0;
    while (checked.length < 150 && attempts++ < 2_000) {
      const hops: Hop[] = [];
      let type = schema.getType('Workspace') as any;
      const length = 1 + Math.floor(next() * 4);
      for (let i = 0; i < length; i++) {
        const choices = hopsFrom(type).filter((h) => depthOf([...hops, h]) <= LIMITS.maxDepth);
        if (choices.length === 0) break;
        const hop = pick(choices);
        hops.push(hop);
        type = hop.target;
      }
      // `first` at random, absent (the cap) one time in four.
      const firsts = hops.map((h) => (h.maxFirst === undefined ? 0 : next() < 0.25 ? h.maxFirst : Math.floor(next() * Math.min(h.maxFirst, 30))));
      let query = queryOf(hops, firsts);
      hops.forEach((h, i) => {
        if (h.maxFirst !== undefined && firsts[i] === h.maxFirst) query = query.replace(`${h.field}(first: ${h.maxFirst})`, h.field);
      });
      const estimate = costOf(query);
      if (estimate > MAX_RUN_COST) continue;
      const role = pick(['ADMIN', 'MEMBER', 'WORKFORCE_MANAGER', 'TASKER'] as const);
      const res = await server.gql(query, { w: big.workspaceId }, big.actors[role].token);
      const unexpected = (res.errors ?? []).filter((e) => e.extensions?.code !== 'FORBIDDEN');
      expect({ query, errors: unexpected }).toEqual({ query, errors: [] });
      const real = realItems(res.data);
      checked.push({ shape: label({ hops, firsts, copies: 1 }), role, estimate, real });
      if (real > estimate) throw new Error(`${role}: ${query} answered ${real} items, more than its estimate ${estimate}`);
    }
    expect(checked.length).toBe(150);
    const tightest = [...checked].sort((a, b) => b.real / b.estimate - a.real / a.estimate).slice(0, 5);
    console.log(`estimate vs answer, the tightest of ${checked.length}:\n${tightest.map((c) => `  ${c.role} ${c.shape}: ${c.real} of ${c.estimate}`).join('\n')}`);
  }, 180_000);

  it('answers a group past its cap with the cap, and `first` with that many', async () => {
    const query = `query($w: ID!, $g: ID!, $n: Int) { workspace(id: $w) { group(id: $g) { all: members { id } some: members(first: $n) { id } } } }`;
    const res = await server.gql(query, { w: big.workspaceId, g: big.groupIds[0], n: 7 }, big.actors.ADMIN.token);
    expect(res.errors).toBeUndefined();
    expect(res.data.workspace.group.all).toHaveLength(1000);
    expect(res.data.workspace.group.some).toHaveLength(7);
    const beyond = await server.gql(query, { w: big.workspaceId, g: big.groupIds[0], n: 1001 }, big.actors.ADMIN.token);
    expect(beyond.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });
});
