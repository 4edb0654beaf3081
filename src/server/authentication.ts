import { createHash } from 'node:crypto';
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import type { Config } from '../config';
import type { Membership } from '../authorization/access';
import type { Viewer } from './context';
import { keyBySecretHash, touchKey } from '../modules/api-keys/api-keys.data';
import { accountBySubject, claimAccount, createAccount, type Account } from '../modules/users/users.data';
import { normalizeEmail } from '../modules/common/validation';
import { unauthenticated } from './errors';

export const API_KEY_PREFIX = 'wsk_';

export interface SignIn {
  viewer: Viewer | null;
  /** An API key's membership of its workspace, as its check read it. */
  membership?: Membership;
}
const LAST_USED_WRITE_INTERVAL_MS = 60_000;
const SUBJECT_CACHE_LIMIT = 10_000;
/**
 * A token verified once is taken at its word for this long (never past its own expiry): a
 * client sends the same token with every request, and checking its signature each time is
 * most of what a small request costs. A key taken out of the JWKS stops working within this.
 */
const VERIFIED_TOKEN_TTL_MS = 60_000;
const VERIFIED_TOKEN_LIMIT = 10_000;
const MAX_SUBJECT_LENGTH = 255;
/** No claim we store may hold a control character (PostgreSQL refuses NUL in text). */
const CONTROL = /\p{Cc}/u;

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/**
 * Turns a bearer token into the viewer: a JWT (HS256 with AUTH_JWT_SECRET, or RS256/ES256
 * from AUTH_JWKS_URL) whose `sub` names the person, with the account made on first use; or an
 * API key (`wsk_...`), acting as its maker in its workspace only, within its scopes, until it expires.
 */
export class Authenticator {
  private readonly secret: Uint8Array | undefined;
  private readonly jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  private readonly verifyOptions: JWTVerifyOptions;
  /** sub -> viewer: the link never changes once made, so most requests skip the database. */
  private readonly subjects = new Map<string, Viewer>();
  /** api key id -> when lastUsedAt was last written: at most one write a minute per key. */
  private readonly keyWrites = new Map<string, number>();
  /** JWT -> its verified claims (see VERIFIED_TOKEN_TTL_MS). */
  private readonly verified = new LRUCache<string, JWTPayload>({ max: VERIFIED_TOKEN_LIMIT, ttl: VERIFIED_TOKEN_TTL_MS });

  constructor(
    config: Pick<Config, 'jwtSecret' | 'jwksUrl' | 'jwtIssuer' | 'jwtAudience'>,
    private readonly db: DataSource,
  ) {
    this.secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
    this.jwks = config.jwksUrl ? createRemoteJWKSet(new URL(config.jwksUrl)) : undefined;
    // Without `exp` a token would work forever, and a socket opened with it would never close.
    this.verifyOptions = {
      algorithms: this.jwks ? ['RS256', 'ES256'] : ['HS256'],
      requiredClaims: ['exp'],
      issuer: config.jwtIssuer,
      audience: config.jwtAudience,
    };
  }

  /** null without a token; UNAUTHENTICATED for a malformed, expired, unsigned or unknown one. */
  async authenticate(header: unknown): Promise<Viewer | null> {
    return (await this.signIn(header)).viewer;
  }

  /**
   * For one request: the viewer and, for an API key, the membership its check read (valid for
   * this request only; a WebSocket's operations read theirs anew).
   */
  async signIn(header: unknown): Promise<SignIn> {
    if (header === undefined || header === null || header === '') return { viewer: null };
    if (typeof header !== 'string') throw unauthenticated();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) throw unauthenticated('Use "Authorization: Bearer <token>"');
    const token = match[1];
    return token.startsWith(API_KEY_PREFIX) ? this.fromApiKey(token) : { viewer: await this.fromJwt(token) };
  }

  /** The verified claims; `exp` is always there (required). */
  private async verify(token: string): Promise<JWTPayload & { exp: number }> {
    const known = this.verified.get(token) as (JWTPayload & { exp: number }) | undefined;
    if (known && known.exp * 1000 > Date.now()) return known;
    let payload: JWTPayload & { exp: number };
    try {
      const verified = this.jwks ? await jwtVerify(token, this.jwks, this.verifyOptions) : await jwtVerify(token, this.secret!, this.verifyOptions);
      payload = verified.payload as JWTPayload & { exp: number };
    } catch (error) {
      throw unauthenticated(refusal(error));
    }
    const untilExpiry = payload.exp * 1000 - Date.now();
    if (untilExpiry > 0) this.verified.set(token, payload, { ttl: Math.min(VERIFIED_TOKEN_TTL_MS, untilExpiry) });
    return payload;
  }

  private async fromJwt(token: string): Promise<Viewer> {
    const claims = await this.verify(token);
    const { sub, email: rawEmail, name: rawName } = claims;
    if (typeof sub !== 'string' || !sub || typeof rawEmail !== 'string') throw unauthenticated('The token needs `sub` and `email` claims');
    if ([sub, rawEmail, rawName].some((claim) => typeof claim === 'string' && CONTROL.test(claim))) {
      throw unauthenticated("The token's `sub`, `email` and `name` claims must not contain control characters");
    }
    if (sub.length > MAX_SUBJECT_LENGTH) throw unauthenticated(`The token's \`sub\` claim is longer than ${MAX_SUBJECT_LENGTH} characters`);
    // The invitation's rule: the account and the invitations sent to its address meet on this email.
    const email = normalizeEmail(rawEmail);
    if (!email) throw unauthenticated("The token's `email` claim is not one valid email address");
    const expiresAt = claims.exp * 1000;
    const cached = this.subjects.get(sub);
    if (cached) return { ...cached, expiresAt };
    const name = typeof rawName === 'string' ? rawName.slice(0, 200) : null;
    const viewer = await this.account(sub, email, name);
    if (this.subjects.size >= SUBJECT_CACHE_LIMIT) this.subjects.clear();
    this.subjects.set(sub, viewer);
    return { ...viewer, expiresAt };
  }

  /** The account of `sub`: found, claimed (an invited email not yet signed in), or made. */
  private async account(sub: string, email: string, name: string | null, attempt = 0): Promise<Viewer> {
    const toViewer = (r: Account): Viewer => ({ userId: r.id, email: r.email, name: r.name });
    const found = (await accountBySubject(this.db, sub)) ?? (await claimAccount(this.db, sub, email, name)) ?? (await createAccount(this.db, sub, email, name));
    if (found) return toViewer(found);
    // Lost a race with a concurrent first request, or the email belongs to another subject.
    if (attempt === 0) return this.account(sub, email, name, 1);
    throw unauthenticated('This email is already linked to another account');
  }

  /** A key's expiry is its credentials' (`expiresAt`): a socket signed in with it closes then. */
  private async fromApiKey(token: string): Promise<SignIn> {
    const row = await keyBySecretHash(this.db, hashApiKey(token));
    if (!row) throw unauthenticated('The API key is unknown or revoked');
    if (row.expiresAt && row.expiresAt.getTime() <= Date.now()) throw unauthenticated('The API key has expired');
    this.touchKey(row.id, row.lastUsedAt);
    const viewer: Viewer = {
      userId: row.userId,
      email: row.email,
      name: row.name,
      apiKey: { id: row.id, workspaceId: row.workspaceId, scopes: row.scopes },
      ...(row.expiresAt && { expiresAt: row.expiresAt.getTime() }),
    };
    const workspace = { id: row.workspaceId, name: row.workspaceName, internalDomains: row.internalDomains, createdAt: row.workspaceCreatedAt };
    return { viewer, membership: { workspaceId: row.workspaceId, userId: row.userId, role: row.role, status: 'JOINED', workspace } };
  }

  /** Keeps lastUsedAt to the minute without a write on every request. */
  private touchKey(id: string, lastUsedAt: Date | null): void {
    const now = Date.now();
    const last = Math.max(this.keyWrites.get(id) ?? 0, lastUsedAt?.getTime() ?? 0);
    if (now - last < LAST_USED_WRITE_INTERVAL_MS) return;
    this.keyWrites.set(id, now);
    touchKey(this.db, id).catch(() => this.keyWrites.delete(id));
  }
}

/** Why a JWT is refused, as the client is told: the claim at fault, never why a signature failed. */
function refusal(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) {
    return error.reason === 'missing' ? `The token needs a \`${error.claim}\` claim` : `The token's \`${error.claim}\` claim is not accepted`;
  }
  return 'The token is invalid or expired';
}
