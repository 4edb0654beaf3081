import 'reflect-metadata';
import { buildDatabase } from './src/database/data-source';

/**
 * The DataSource the TypeORM CLI uses (migration:generate/run/revert), from the same factory
 * as the app: DATABASE_URL selects PostgreSQL; unset, the embedded database in ./data.
 */
export default buildDatabase({ url: process.env.DATABASE_URL, dataDir: process.env.DATA_DIR }).dataSource;
