import { ViewerResolver } from './users/viewer.resolver';
import { WorkspaceResolver } from './workspaces/workspace.resolver';

/** Every resolver class of the schema. A new module adds its resolvers here. */
export const resolvers = [ViewerResolver, WorkspaceResolver] as const;
