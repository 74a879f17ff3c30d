import { randomUUID } from 'node:crypto';
import { generateKeyPair, SignJWT, type KeyLike } from 'jose';
import type { Alg } from './issuer-under-test';

/** One measurement of signing alone: CPU µs per signature and signatures per second, in this process. */
export interface SigningRun {
  alg: Alg;
  signs: number;
  cpuUsPerSign: number;
  perSecond: number;
}

export interface Signer {
  measure(alg: Alg, ms: number): Promise<SigningRun>;
}

/**
 * The floor under the issuer's CPU per token: jose's SignJWT with an RS256 (2048-bit) or ES256
 * key, as Portcullis signs (same library, same header and claims shape), one signature after
 * another (the server signs one per request), in this process while nothing else runs here.
 * process.cpuUsage covers every thread, so jose's hop to libuv's pool for the signature counts.
 */
export async function signer(): Promise<Signer> {
  const keys: Record<Alg, KeyLike> = {
    RS256: (await generateKeyPair('RS256', { modulusLength: 2048 })).privateKey,
    ES256: (await generateKeyPair('ES256')).privateKey,
  };
  const sign = (alg: Alg) => {
    const iat = Math.floor(Date.now() / 1000);
    return new SignJWT({ client_id: 'bench-service-0123456789', roles: ['echo-reader'] })
      .setProtectedHeader({ alg, kid: 'bench-kid-0123456789abcdef', typ: 'at+jwt' })
      .setIssuer('http://127.0.0.1:8080')
      .setSubject('bench-service-0123456789')
      .setAudience('urn:portcullis:echo')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3600)
      .setJti(randomUUID())
      .sign(keys[alg]);
  };
  for (const alg of ['RS256', 'ES256'] as const) for (let i = 0; i < 50; i++) await sign(alg); // JIT
  return {
    async measure(alg, ms) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      let signs = 0;
      while (performance.now() - started < ms) {
        await sign(alg);
        signs++;
      }
      const used = process.cpuUsage(cpu);
      return { alg, signs, cpuUsPerSign: (used.user + used.system) / signs, perSecond: signs / ((performance.now() - started) / 1000) };
    },
  };
}
