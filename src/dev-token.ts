import { SignJWT } from 'jose';

/** Mints an HS256 token as the identity provider would (development, the CLI and tests). */
export function mintToken(secret: string, claims: { sub: string; email: string; name?: string }, expiresIn = '12h'): Promise<string> {
  return new SignJWT({ email: claims.email, ...(claims.name ? { name: claims.name } : {}) })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}
