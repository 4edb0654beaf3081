/**
 * An expected reason the process cannot start or open its database (the port is taken, the
 * database is unreachable, the data directory is in use): shown as one line, without a stack.
 */
export class StartupError extends Error {}
