import { Ctx, Query, Resolver } from 'type-graphql';
import { Auth } from '../../authorization/guard';
import type { Context } from '../../server/context';
import { RateLimit } from './rate-limit.types';

/** What `limit` and `remaining` read when no limit applies (RATE_LIMIT_POINTS=0): GraphQL's largest Int. */
const NO_LIMIT = 2_147_483_647;

@Resolver(() => RateLimit)
export class RateLimitResolver {
  @Query(() => RateLimit, { description: "The caller's rate-limit budget, as GitHub's API shows it: what this query cost and what is left." })
  @Auth('rateLimit')
  rateLimit(@Ctx() ctx: Context): RateLimit {
    // Counted before execution (server/limits: http.ts, websocket.ts); anonymous callers by their address.
    const state = ctx.rateLimit;
    if (!state || state.limit === null) {
      return { limit: NO_LIMIT, remaining: NO_LIMIT, cost: state?.cost ?? 0, resetAt: state?.resetAt ?? new Date() };
    }
    return { limit: state.limit, remaining: state.remaining, cost: state.cost, resetAt: state.resetAt };
  }
}
