import { getNamedType, type GraphQLResolveInfo } from 'graphql';
import { jobFilterSets } from '../modules/jobs/job.service';
import type { JobFilter } from '../modules/jobs/job.types';
import type { Context } from '../server/context';
import { badInput } from '../server/errors';
import { decodeEventCursor, startPosition } from './job-event-log';

/**
 * The `subscribe` of Subscription.jobEvents, after the guard (rule jobEvents: a JOINED member).
 * Checks the cursor (BAD_USER_INPUT if it is not one of this feed's, RESYNC_REQUIRED if the log
 * no longer holds every event after it) and hands the subscription to the feed, which replays
 * from there and goes on live.
 */
export async function subscribeJobEvents(
  ctx: Context,
  args: { workspaceId: string; filter?: JobFilter | null; after?: string | null },
  info: GraphQLResolveInfo,
): Promise<AsyncIterableIterator<never>> {
  if (!ctx.transport || !ctx.viewer) {
    throw badInput('jobEvents', 'jobEvents is a subscription: use the WebSocket (graphql-transport-ws) on /graphql');
  }
  // An event carries no creation time, and the list's filters are not the feed's: refused rather than ignored.
  for (const field of ['userIds', 'createdAfter', 'createdBefore'] as const) {
    if (args.filter?.[field] != null) throw badInput(`filter.${field}`, `jobEvents filters by types and statuses only; ${field} is a filter of workspace.jobs`);
  }
  const after = decodeEventCursor(args.after, args.workspaceId);
  const { types, statuses } = jobFilterSets(args.filter);
  const position = await startPosition(ctx.db, args.workspaceId, after);
  const stream = ctx.services.jobFeed.open({
    workspaceId: args.workspaceId,
    viewer: ctx.viewer,
    position,
    types,
    statuses,
    schema: info.schema,
    field: info.fieldNodes[0],
    rootType: getNamedType(info.returnType),
    transport: ctx.transport,
  });
  ctx.transport.feed = stream;
  return stream;
}
