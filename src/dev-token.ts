import { SignJWT } from 'jose';

export interface DevClaims {
  sub: string;
  email: string;
  name?: string;
  /** The service's AUTH_JWT_ISSUER / AUTH_JWT_AUDIENCE, when set: it refuses tokens without them. */
  issuer?: string;
  audience?: string;
}

/** Mints an HS256 token as the identity provider would (development, the CLI and tests). */
export function mintToken(secret: string, claims: DevClaims, expiresIn = '12h'): Promise<string> {
  const jwt = new SignJWT({ email: claims.email, ...(claims.name ? { name: claims.name } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn);
  if (claims.issuer) jwt.setIssuer(claims.issuer);
  if (claims.audience) jwt.setAudience(claims.audience);
  return jwt.sign(new TextEncoder().encode(secret));
}
