/**
 * The Users tab from the command line: every page of people ordered by name, following
 * `endCursor` while `hasNextPage`, through the typed client. Against a running service:
 *   npm run build
 *   WSAPI_URL=http://localhost:4000/graphql WSAPI_TOKEN=<jwt> WSAPI_WORKSPACE_ID=<id> \
 *     node dist/examples/web-client/users-tab.js
 * WSAPI_PAGE_SIZE (default 25) sets the page size.
 */
import { ApiError, connect } from './client';
import { UsersTabDocument, type UsersTabQuery } from './generated/graphql';

function env(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

async function main(): Promise<void> {
  const { run } = connect(env('WSAPI_URL'), env('WSAPI_TOKEN'));
  const workspaceId = env('WSAPI_WORKSPACE_ID');
  const first = Number(process.env.WSAPI_PAGE_SIZE ?? 25);
  let after: string | null = null;
  for (let page = 1; ; page++) {
    // Annotated: `after` comes from the previous answer, which TypeScript cannot infer around.
    const data: UsersTabQuery = await run(UsersTabDocument, { workspaceId, orderBy: { field: 'NAME' }, first, after });
    // null: no such workspace, or one the viewer has not joined (never FORBIDDEN).
    if (!data.workspace) throw new ApiError(`workspace ${workspaceId} not found`, 'NOT_FOUND');
    const { users } = data.workspace;
    console.log(`page ${page} (${users.totalCount} people):`);
    for (const user of users.nodes) {
      const can = [user.viewerCan.changeRole && 'change role', user.viewerCan.remove && 'remove'].filter(Boolean).join(', ');
      console.log(`  ${user.name ?? '-'} <${user.email}>  ${user.role}  ${user.status}${can ? `  [${can}]` : ''}`);
    }
    if (!users.pageInfo.hasNextPage) break;
    after = users.pageInfo.endCursor;
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ApiError ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
});
