import { request } from '../common/http';
import { CONTENDERS, PATH, type ContenderName } from './contenders';
import { tamper, type Tokens } from './tokens';

/** The token each contender gets: opaque for (e), the JWT for the others. */
export const goodToken = (name: ContenderName, tokens: Tokens): string => (name === 'guard-introspect' ? tokens.opaque[0] : tokens.warm);

/**
 * Before measuring: every contender answers 200 to a good token, and every authenticating one
 * answers 401 to a tampered token and to none. A benchmark of a check that lets anything through
 * measures nothing; returns the problems found (empty: all good).
 */
export async function sanity(ports: Record<ContenderName, number>, tokens: Tokens): Promise<string[]> {
  const problems: string[] = [];
  for (const name of CONTENDERS) {
    const url = `http://127.0.0.1:${ports[name]}${PATH}`;
    const good = goodToken(name, tokens);
    const cold = name === 'guard-introspect' ? tokens.opaque[tokens.opaque.length - 1] : tokens.cold[0];
    const bad = name === 'guard-introspect' ? `${good}x` : tamper(good);
    const expect = async (what: string, headers: Record<string, string>, status: number) => {
      const res = await request(url, { headers });
      if (res.status !== status) problems.push(`${name}: ${what} answered ${res.status}, expected ${status}: ${res.text.slice(0, 200)}`);
    };
    await expect('a good token', { authorization: `Bearer ${good}` }, 200);
    await expect('a cold token', { authorization: `Bearer ${cold}` }, 200);
    const refuse = name === 'noauth' ? 200 : 401;
    await expect('a tampered token', { authorization: `Bearer ${bad}` }, refuse);
    await expect('no token', {}, refuse);
  }
  return problems;
}
